using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// An <see cref="SmtpClient"/> that does not abandon a transaction when one recipient is refused: MailKit
/// by default throws (and sends RSET) on the first rejected RCPT, so the accepted recipients would get
/// nothing. This client records each refused recipient's reply instead and goes on to DATA for the
/// accepted ones (RFC 5321 §3.3, RFC 2920 §3.1). When no recipient is accepted MailKit sends no DATA,
/// resets the transaction and throws <see cref="SmtpCommandException"/>; <see cref="Rejected"/> then
/// holds every recipient's own reply. A <c>421</c> (the server is closing the channel) still throws at once.
/// </summary>
/// <param name="protocolLogger">Sees the session's traffic (e.g. a <see cref="FinalDotTracker"/>).</param>
public sealed class RecipientRecordingSmtpClient(IProtocolLogger protocolLogger) : SmtpClient(protocolLogger)
{
    private readonly List<RejectedRecipient> _rejected = [];

    /// <summary>The recipients refused at RCPT since the last <see cref="BeginTransaction"/>, in order.</summary>
    public IReadOnlyList<RejectedRecipient> Rejected => _rejected;

    /// <summary>Forgets the rejections of the previous transaction; call before each send.</summary>
    public void BeginTransaction() => _rejected.Clear();

    /// <inheritdoc />
    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        if (response.StatusCode == SmtpStatusCode.ServiceNotAvailable)
        {
            // 421: the server is closing the connection; nothing more can be sent in this session.
            base.OnRecipientNotAccepted(message, mailbox, response);
            return;
        }

        _rejected.Add(new RejectedRecipient(mailbox, (int)response.StatusCode, response.Response));
    }

    /// <inheritdoc />
    protected override void OnNoRecipientsAccepted(MimeMessage message)
    {
        // Nothing to do: MailKit sends no DATA, resets the transaction and throws; the per-recipient
        // replies are in Rejected.
    }
}

/// <summary>A recipient refused at RCPT.</summary>
/// <param name="Mailbox">The recipient.</param>
/// <param name="Code">The reply code.</param>
/// <param name="Text">The reply text (without the code).</param>
public sealed record RejectedRecipient(MailboxAddress Mailbox, int Code, string Text);
