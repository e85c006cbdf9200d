namespace Orleans.Mail.Campaigns;

/// <summary>The lifecycle of a campaign: Draft → Running → Completed.</summary>
public enum CampaignState
{
    /// <summary>Created; recipients may be added; nothing is sent.</summary>
    Draft = 1,
    /// <summary>Started: the list is frozen and messages are being delivered.</summary>
    Running = 2,
    /// <summary>Every message has reached a terminal state.</summary>
    Completed = 3,
}
