namespace Orleans.Mail.Delivery.Classification;

/// <summary>What the engine does with a recipient after a reply.</summary>
public enum ReplyAction
{
    /// <summary>Positive reply (2xx/3xx): the step succeeded; after the final "." the message is delivered.</summary>
    Delivered,

    /// <summary>Temporary failure: keep the message and try again later (the retry schedule decides when).</summary>
    Defer,

    /// <summary>Permanent failure: stop trying this recipient and record a bounce.</summary>
    Bounce,
}

/// <summary>Text forms of <see cref="ReplyAction"/>: <c>delivered</c>, <c>defer</c>, <c>bounce</c>.</summary>
public static class ReplyActions
{
    /// <summary>The lower-case name used in TSV files and rule files.</summary>
    public static string ToName(this ReplyAction action) => action.ToString().ToLowerInvariant();

    /// <summary>Reads <c>delivered</c>, <c>defer</c> or <c>bounce</c>, case-insensitive.</summary>
    /// <returns>False for any other text.</returns>
    public static bool TryParse(string? text, out ReplyAction action)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "delivered":
                action = ReplyAction.Delivered;
                return true;
            case "defer":
                action = ReplyAction.Defer;
                return true;
            case "bounce":
                action = ReplyAction.Bounce;
                return true;
            default:
                action = default;
                return false;
        }
    }
}
