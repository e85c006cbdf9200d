namespace Orleans.Mail.Campaigns;

/// <summary>A campaign's state and progress at one moment. Counters count messages (one per recipient).</summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.CampaignSnapshot")]
public sealed record CampaignSnapshot
{
    /// <summary>The campaign id (<c>cmp_…</c>).</summary>
    [Id(0)] public required string Id { get; init; }
    /// <summary>The name given at creation.</summary>
    [Id(1)] public required string Name { get; init; }
    /// <summary>Lifecycle state.</summary>
    [Id(2)] public required CampaignState State { get; init; }
    /// <summary>Counts per message state; states with no messages are absent.</summary>
    [Id(3)] public required IReadOnlyDictionary<MessageState, long> Counts { get; init; }
    /// <summary>Deliveries per second over the last 10 s.</summary>
    [Id(4)] public double MessagesPerSecond { get; init; }
    /// <summary>Creation time (UTC).</summary>
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Start time (UTC), null for a draft.</summary>
    [Id(6)] public DateTimeOffset? StartedAt { get; init; }
    /// <summary>Completion time (UTC), null until completed.</summary>
    [Id(7)] public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Messages by the class of their last outcome (absent: not yet attempted).</summary>
    [Id(8)] public IReadOnlyDictionary<string, long> ClassCounts { get; init; } = new Dictionary<string, long>();

    /// <summary>Messages resent after a connection was lost between the final dot and its reply: the receiver may hold two copies.</summary>
    [Id(9)] public long PossibleDuplicates { get; init; }

    /// <summary>Problems of the sender seen during delivery (e.g. <see cref="CampaignAlertKinds.AuthFailure"/>), one per kind.</summary>
    [Id(10)] public IReadOnlyList<CampaignAlert> Alerts { get; init; } = [];

    /// <summary>The campaign's weight on shared sites (1–100).</summary>
    [Id(11)] public int Weight { get; init; } = 1;

    /// <summary>All messages of the campaign.</summary>
    public long Total => Counts.Values.Sum();

    /// <summary>The count in one state (0 when absent).</summary>
    public long Count(MessageState state) => Counts.TryGetValue(state, out var n) ? n : 0;
}
