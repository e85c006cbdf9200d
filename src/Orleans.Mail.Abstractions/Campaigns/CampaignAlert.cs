namespace Orleans.Mail.Campaigns;

/// <summary>The kinds of <see cref="CampaignAlert"/>.</summary>
public static class CampaignAlertKinds
{
    /// <summary>
    /// Receivers refused the campaign's mail for failed sender authentication (class <c>auth-failure</c>:
    /// Gmail <c>550 5.7.26</c>, Outlook.com <c>550 5.7.515</c>): SPF/DKIM/DMARC of the sending domain need
    /// fixing; the recipients are not at fault and are not suppressed (smtp-cases C14).
    /// </summary>
    public const string AuthFailure = "auth-failure";
}

/// <summary>What a delivery worker reports to a campaign about a problem of the sender, not of a recipient.</summary>
/// <param name="Kind">One of <see cref="CampaignAlertKinds"/>.</param>
/// <param name="Host">The MX host (<c>host:port</c>) that replied.</param>
/// <param name="Reply">The reply that showed it.</param>
/// <param name="Count">Messages it affected in the reporting batch (≥ 1).</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.CampaignAlertReport")]
public sealed record CampaignAlertReport(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Host,
    [property: Id(2)] string Reply,
    [property: Id(3)] int Count);

/// <summary>A problem of the campaign's sender seen during delivery, kept with the campaign and shown by GetCampaign.</summary>
/// <param name="Kind">One of <see cref="CampaignAlertKinds"/>.</param>
/// <param name="SendingDomain">The domain of the campaign's From address, the one to fix.</param>
/// <param name="LastReply">The latest reply showing it, with the host: <c>"mx.example:25: 550 5.7.26 …"</c>.</param>
/// <param name="Count">Messages affected so far.</param>
/// <param name="FirstSeen">When it was first reported (UTC).</param>
/// <param name="LastSeen">When it was last reported (UTC).</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.CampaignAlert")]
public sealed record CampaignAlert(
    [property: Id(0)] string Kind,
    [property: Id(1)] string SendingDomain,
    [property: Id(2)] string LastReply,
    [property: Id(3)] long Count,
    [property: Id(4)] DateTimeOffset FirstSeen,
    [property: Id(5)] DateTimeOffset LastSeen);
