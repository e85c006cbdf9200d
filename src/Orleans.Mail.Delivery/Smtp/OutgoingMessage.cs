using MimeKit;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>One message for one envelope recipient; the MIME form is built just before it is sent.</summary>
/// <param name="Id">The caller's id, echoed in the outcome.</param>
/// <param name="Sender">The envelope sender (MAIL FROM).</param>
/// <param name="Recipient">The envelope recipient (RCPT TO).</param>
/// <param name="Build">Builds the MIME message; may throw, which bounces the message.</param>
/// <param name="GroupKey">
/// Messages of one batch with the same non-null key and the same envelope sender carry the same content
/// (e.g. the recipients of one transactional message, keyed by its message id) and are sent as one SMTP
/// transaction: MAIL once, one RCPT per recipient, DATA once (built from the first of them), up to
/// <see cref="SmtpBatchSender.MaxRecipientsPerTransaction"/> recipients. Null (the default): sent alone.
/// </param>
public sealed record OutgoingMessage(Guid Id, MailboxAddress Sender, MailboxAddress Recipient, Func<MimeMessage> Build, string? GroupKey = null);
