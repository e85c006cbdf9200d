namespace Orleans.Mail;

/// <summary>
/// Server-generated, time-ordered ids: a prefix (<c>cmp_</c> for campaigns, <c>msg_</c> for messages)
/// and a version-7 UUID (RFC 9562) as 32 lower-case hex digits, so ids sort by creation time.
/// </summary>
public static class MailIds
{
    /// <summary>Prefix of campaign ids.</summary>
    public const string CampaignPrefix = "cmp_";

    /// <summary>Prefix of message ids.</summary>
    public const string MessagePrefix = "msg_";

    /// <summary>A new time-ordered UUID taken from <paramref name="time"/>.</summary>
    public static Guid NewUuid(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow());

    /// <summary>Formats a campaign id, e.g. <c>cmp_0193a6f0c2d47b2e9a51c6d3e4f5a6b7</c>.</summary>
    public static string Campaign(Guid uuid) => CampaignPrefix + uuid.ToString("N");

    /// <summary>Formats a message id, e.g. <c>msg_0193a6f0c2d47b2e9a51c6d3e4f5a6b7</c>.</summary>
    public static string Message(Guid uuid) => MessagePrefix + uuid.ToString("N");

    /// <summary>Parses an id with the given prefix; false for anything else (wrong prefix, not 32 hex digits).</summary>
    public static bool TryParse(string? id, string prefix, out Guid uuid)
    {
        uuid = Guid.Empty;
        return id is not null
            && id.Length == prefix.Length + 32
            && id.StartsWith(prefix, StringComparison.Ordinal)
            && Guid.TryParseExact(id.AsSpan(prefix.Length), "N", out uuid);
    }
}
