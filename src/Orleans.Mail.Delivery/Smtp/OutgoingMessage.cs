using MimeKit;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>One message for one envelope recipient; the MIME form is built just before it is sent.</summary>
/// <param name="Id">The caller's id, echoed in the outcome.</param>
/// <param name="Sender">The envelope sender (MAIL FROM).</param>
/// <param name="Recipient">The envelope recipient (RCPT TO).</param>
/// <param name="Build">Builds the MIME message; may throw, which bounces the message.</param>
public sealed record OutgoingMessage(Guid Id, MailboxAddress Sender, MailboxAddress Recipient, Func<MimeMessage> Build);
