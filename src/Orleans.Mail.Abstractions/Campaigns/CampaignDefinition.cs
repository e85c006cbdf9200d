namespace Orleans.Mail.Campaigns;

/// <summary>What every message of a campaign is made from; validated by the gateway before it gets here.</summary>
/// <param name="Name">A name for people.</param>
/// <param name="From">The From header, an RFC 5322 mailbox (<c>Name &lt;addr&gt;</c> or a bare address).</param>
/// <param name="EnvelopeSender">MAIL FROM address (bounces go there).</param>
/// <param name="SubjectTemplate">Subject, a Liquid template.</param>
/// <param name="TextTemplate">Plain-text body, a Liquid template; empty for none.</param>
/// <param name="HtmlTemplate">HTML body, a Liquid template; empty for none.</param>
/// <param name="Headers">Extra header fields for every message.</param>
/// <param name="Weight">Share of a shared site's budget relative to other campaigns on it (1–<see cref="MaxWeight"/>, default 1).</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.CampaignDefinition")]
public sealed record CampaignDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string From,
    [property: Id(2)] string EnvelopeSender,
    [property: Id(3)] string SubjectTemplate,
    [property: Id(4)] string TextTemplate,
    [property: Id(5)] string HtmlTemplate,
    [property: Id(6)] IReadOnlyList<HeaderField> Headers,
    [property: Id(7)] int Weight = 1)
{
    /// <summary>The largest weight a campaign may have.</summary>
    public const int MaxWeight = 100;
}
