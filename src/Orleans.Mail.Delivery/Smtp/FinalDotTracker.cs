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
        // Keep the last five bytes written, across writes: the dot may arrive in a write of its own. Only the
        // last five bytes of a write matter (a DATA write is a whole message body: never look at every byte).
        var fresh = buffer.AsSpan(offset, count);
        if (fresh.Length >= _tail.Length)
        {
            fresh[^_tail.Length..].CopyTo(_tail);
            _tailLength = _tail.Length;
        }
        else
        {
            var keep = Math.Min(_tailLength, _tail.Length - fresh.Length);
            _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
            fresh.CopyTo(_tail.AsSpan(keep));
            _tailLength = keep + fresh.Length;
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
