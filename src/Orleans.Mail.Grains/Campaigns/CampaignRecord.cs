using Orleans.Mail.Campaigns;

namespace Orleans.Mail.Grains.Campaigns;

/// <summary>The persisted state of a campaign grain (grain storage <c>campaigns</c>).</summary>
[GenerateSerializer, Alias("orleans.mail.CampaignRecord")]
public sealed class CampaignRecord
{
    /// <summary>The owning tenant; null until created.</summary>
    [Id(0)] public string? TenantId { get; set; }

    /// <summary>The definition.</summary>
    [Id(1)] public CampaignDefinition? Definition { get; set; }

    /// <summary>Lifecycle state.</summary>
    [Id(2)] public CampaignState State { get; set; } = CampaignState.Draft;

    /// <summary>Creation time (UTC).</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Start time (UTC).</summary>
    [Id(4)] public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Completion time (UTC).</summary>
    [Id(5)] public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Problems of the sender seen during delivery, by kind.</summary>
    [Id(6)] public Dictionary<string, CampaignAlert> Alerts { get; set; } = [];
}
