using Orleans.Concurrency;
using Orleans.Mail.Messages;

namespace Orleans.Mail.Campaigns;

/// <summary>
/// One campaign, keyed by its id (<c>cmp_…</c>): its definition, lifecycle and progress. Every call names
/// the caller's tenant; a campaign that does not exist or belongs to another tenant raises
/// <see cref="Errors.MailNotFoundException"/>.
/// </summary>
[Alias("orleans.mail.ICampaignGrain")]
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Creates the campaign as a draft. Raises <see cref="Errors.MailPreconditionException"/> if it exists.</summary>
    [Alias("Create")]
    Task<CampaignSnapshot> Create(string tenantId, CampaignDefinition definition);

    /// <summary>The definition, for rendering; no tenant check (called by delivery workers only).</summary>
    [Alias("GetDefinition")]
    Task<CampaignDefinition> GetDefinition();

    /// <summary>The owning tenant id, for one-click unsubscribe tokens; no tenant check (called by delivery workers only).</summary>
    /// <exception cref="Errors.MailNotFoundException">The campaign does not exist.</exception>
    [Alias("GetTenant")]
    Task<string> GetTenant();

    /// <summary>
    /// Commits one batch atomically. A batch number committed before is a no-op that returns the stored
    /// counts with <see cref="RecipientBatchResult.Replayed"/> set. Raises
    /// <see cref="Errors.MailPreconditionException"/> unless the campaign is a draft (or once a Start has begun).
    /// Batches interleave: a stream may have several committing at once; when two share an address, one of
    /// them (not necessarily the lower batch number) keeps it and the other reports it as a duplicate.
    /// </summary>
    [Alias("AddRecipients")]
    [AlwaysInterleave]
    Task<RecipientBatchResult> AddRecipients(string tenantId, long batchNumber, IReadOnlyList<RecipientRow> rows);

    /// <summary>Freezes the list and queues every message. A no-op when already started.
    /// Raises <see cref="Errors.MailPreconditionException"/> when the campaign has no recipients.
    /// Queuing a million recipients takes tens of seconds, so the call may take up to 10 minutes.</summary>
    [Alias("Start")]
    [ResponseTimeout("00:10:00")]
    Task<CampaignSnapshot> Start(string tenantId);

    /// <summary>
    /// Records a problem of the sender seen during delivery (no tenant check: called by delivery workers):
    /// kept in <see cref="CampaignSnapshot.Alerts"/>, one entry per kind, and logged as a warning naming the
    /// tenant and the sending domain.
    /// </summary>
    [Alias("ReportAlert")]
    Task ReportAlert(CampaignAlertReport report);

    /// <summary>State and counters now (at most about 1 s old).</summary>
    [Alias("GetSnapshot")]
    Task<CampaignSnapshot> GetSnapshot(string tenantId);

    /// <summary>One page of the campaign's messages, oldest first, after <paramref name="afterId"/>.</summary>
    [Alias("ListMessages")]
    Task<MessagePage> ListMessages(string tenantId, MessageState? state, Guid? afterId, int pageSize);
}
