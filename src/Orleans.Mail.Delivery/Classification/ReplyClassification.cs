namespace Orleans.Mail.Delivery.Classification;

/// <summary>The meaning of one SMTP reply for one recipient.</summary>
/// <param name="Action">Deliver, defer or bounce.</param>
/// <param name="Class">One of <see cref="ReplyClass.All"/>.</param>
/// <param name="Suppress">
/// True only for a bounce of a recipient-level class (<see cref="ReplyClass.IsRecipientLevel"/>): add the address
/// to the suppression list.
/// </param>
/// <param name="Throttle">True when the reply asks us to slow down towards this receiver (lower concurrency/rate from this IP).</param>
public sealed record ReplyClassification(ReplyAction Action, string Class, bool Suppress, bool Throttle)
{
    /// <summary>
    /// The name of the rule that decided (from the rule file), or <c>positive</c>, <c>generic-4xx</c>,
    /// <c>generic-5xx</c> for the built-in fallbacks. Stored with delivery events to explain a decision.
    /// </summary>
    public string Rule { get; init; } = string.Empty;
}
