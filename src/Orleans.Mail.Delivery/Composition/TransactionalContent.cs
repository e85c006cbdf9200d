using System.Text.Json;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>
/// A transactional message as stored in the spool (<c>mail_message.content</c>, JSON with camelCase names).
/// Addresses are RFC 5322 mailboxes.
/// </summary>
public sealed record TransactionalContent(
    string From,
    string EnvelopeSender,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    string Subject,
    string TextBody,
    string HtmlBody,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The JSON form stored in the spool.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the stored JSON form.</summary>
    /// <exception cref="JsonException">Not a stored transactional message.</exception>
    public static TransactionalContent FromJson(string json)
    {
        var content = JsonSerializer.Deserialize<TransactionalContent>(json, Json) ?? throw new JsonException("Empty transactional content.");
        // System.Text.Json leaves missing members null whatever the declared nullability; refuse them here.
        if (content.From is null || content.EnvelopeSender is null || content.To is null || content.Cc is null
            || content.Subject is null || content.TextBody is null || content.HtmlBody is null || content.Headers is null)
        {
            throw new JsonException("Transactional content lacks a required member.");
        }

        return content;
    }
}
