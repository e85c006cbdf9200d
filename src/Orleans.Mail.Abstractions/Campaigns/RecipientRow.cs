namespace Orleans.Mail.Campaigns;

/// <summary>One recipient of a campaign: the envelope recipient and To address, and its template variables.</summary>
/// <param name="Address">A bare address (addr-spec), already syntax-checked by the gateway.</param>
/// <param name="Variables">Template variables; values hold no CR or LF.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.RecipientRow")]
public sealed record RecipientRow(
    [property: Id(0)] string Address,
    [property: Id(1)] IReadOnlyDictionary<string, string> Variables);
