namespace Orleans.Mail;

/// <summary>An extra header field to write into a message (RFC 5322 §2.2). The value holds no CR or LF.</summary>
/// <param name="Name">Field name, e.g. <c>List-Unsubscribe</c>.</param>
/// <param name="Value">Unfolded field value.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.HeaderField")]
public sealed record HeaderField([property: Id(0)] string Name, [property: Id(1)] string Value);
