namespace Orleans.Mail.Messages;

/// <summary>One transactional message, validated by the gateway. Each To and Cc address is an envelope recipient.</summary>
/// <param name="From">The From header mailbox.</param>
/// <param name="EnvelopeSender">MAIL FROM address.</param>
/// <param name="To">To mailboxes (RFC 5322 syntax).</param>
/// <param name="Cc">Cc mailboxes.</param>
/// <param name="Subject">Subject (plain text).</param>
/// <param name="TextBody">Plain-text body; empty for none.</param>
/// <param name="HtmlBody">HTML body; empty for none.</param>
/// <param name="Headers">Extra header fields.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.TransactionalMessage")]
public sealed record TransactionalMessage(
    [property: Id(0)] string From,
    [property: Id(1)] string EnvelopeSender,
    [property: Id(2)] IReadOnlyList<string> To,
    [property: Id(3)] IReadOnlyList<string> Cc,
    [property: Id(4)] string Subject,
    [property: Id(5)] string TextBody,
    [property: Id(6)] string HtmlBody,
    [property: Id(7)] IReadOnlyList<HeaderField> Headers);
