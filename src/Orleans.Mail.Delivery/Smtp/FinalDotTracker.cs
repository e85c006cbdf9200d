using MailKit;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// Watches one SMTP session's traffic to know whether the client has sent the final dot of a message
/// (<c>CRLF.CRLF</c>) and no reply has come back yet. If the connection is lost in that window the
/// receiver may or may not have the message: the attempt is uncertain (a resend may be a duplicate).
/// </summary>
public sealed class FinalDotTracker : IProtocolLogger
{
    private static readonly byte[] FinalDot = "\r\n.\r\n"u8.ToArray();
    private readonly byte[] _tail = new byte[FinalDot.Length];
    private int _tailLength;

    /// <summary>True between the final dot and the server's next reply.</summary>
    public bool AwaitingFinalReply { get; private set; }

    /// <inheritdoc />
    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <inheritdoc />
    public void LogConnect(Uri uri) => AwaitingFinalReply = false;

    /// <inheritdoc />
    public void LogClient(byte[] buffer, int offset, int count)
    {
        // Keep the last five bytes written, across writes: the dot may arrive in a write of its own.
        for (var i = offset; i < offset + count; i++)
        {
            if (_tailLength == _tail.Length)
            {
                Array.Copy(_tail, 1, _tail, 0, _tail.Length - 1);
                _tailLength--;
            }

            _tail[_tailLength++] = buffer[i];
        }

        AwaitingFinalReply = _tailLength == _tail.Length && _tail.AsSpan().SequenceEqual(FinalDot);
    }

    /// <inheritdoc />
    public void LogServer(byte[] buffer, int offset, int count) => AwaitingFinalReply = false;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
