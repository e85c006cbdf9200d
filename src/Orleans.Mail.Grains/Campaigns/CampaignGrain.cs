using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Mail.Campaigns;
using Orleans.Mail.Grains.Delivery;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Delivery.Dkim;
using Orleans.Mail.Errors;
using Orleans.Mail.Messages;
using Orleans.Mail.Storage;
using Orleans.Mail.Delivery.Telemetry;

namespace Orleans.Mail.Grains.Campaigns;

/// <summary>
/// One campaign: definition and lifecycle in grain storage, recipients in the spool. Non-reentrant except for
/// recipient batches, which interleave with each other (a stream commits several at once) and with reads;
/// <see cref="Start"/> refuses new batches first and waits for those under way, so nothing can be added once
/// the list is frozen and no committed draft is left behind by the queueing.
/// </summary>
public sealed partial class CampaignGrain(
    [PersistentState("campaign", "campaigns")] IPersistentState<CampaignRecord> record,
    CampaignSpool spool,
    TimeProvider time,
    ILogger<CampaignGrain> logger,
    IOptions<DkimOptions> dkim,
    EnvelopeSenderCheck senderCheck) : Grain, ICampaignGrain
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SnapshotMaxAge = TimeSpan.FromMilliseconds(900);
    private CampaignSnapshot? _snapshot;
    private DateTimeOffset _snapshotAt;
    private int _batchesCommitting;
    private bool _freezing;
    private TaskCompletionSource? _batchesDone;

    private Guid CampaignUuid => MailIds.TryParse(this.GetPrimaryKeyString(), MailIds.CampaignPrefix, out var id)
        ? id
        : throw new MailNotFoundException($"'{this.GetPrimaryKeyString()}' is not a campaign id.");

    /// <inheritdoc />
    public async Task<CampaignSnapshot> Create(string tenantId, CampaignDefinition definition)
    {
        _ = CampaignUuid;
        if (record.State.TenantId is not null)
        {
            throw new MailPreconditionException($"Campaign {this.GetPrimaryKeyString()} exists already.");
        }

        ValidateTemplate("subject", definition.SubjectTemplate);
        ValidateTemplate("text_body", definition.TextTemplate);
        ValidateTemplate("html_body", definition.HtmlTemplate);
        RequireDkimKey(definition.From);
        await senderCheck.EnsureBouncesCanReturnAsync("envelope_sender", definition.EnvelopeSender);
        record.State.TenantId = tenantId;
        record.State.Definition = definition;
        record.State.State = CampaignState.Draft;
        record.State.CreatedAt = time.GetUtcNow();
        await record.WriteStateAsync();
        LogCreated(logger, this.GetPrimaryKeyString(), tenantId);
        return await Snapshot(fresh: true);
    }

    /// <summary>
    /// C14: with <c>Dkim:RequireForCampaigns</c> on, a From domain that no DKIM key covers (neither the domain nor a
    /// parent) is refused, since unauthenticated bulk mail is rejected by the big mailbox providers.
    /// </summary>
    private void RequireDkimKey(string from)
    {
        var options = dkim.Value;
        if (!options.RequireForCampaigns)
        {
            return;
        }

        var address = MimeKit.MailboxAddress.TryParse(from, out var mailbox) ? mailbox.Address : from;
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address[(at + 1)..];
        if (options.FindKey(domain) is null)
        {
            throw new MailPreconditionException(
                $"No DKIM key is configured for the From domain '{domain}' (or a parent domain); campaigns require one (Dkim:RequireForCampaigns).");
        }
    }

    /// <inheritdoc />
    public Task<CampaignDefinition> GetDefinition() =>
        Task.FromResult(record.State.Definition ?? throw new MailNotFoundException($"Campaign {this.GetPrimaryKeyString()} does not exist."));

    /// <inheritdoc />
    public Task<string> GetTenant() =>
        Task.FromResult(record.State.TenantId ?? throw new MailNotFoundException($"Campaign {this.GetPrimaryKeyString()} does not exist."));

    /// <inheritdoc />
    public async Task<RecipientBatchResult> AddRecipients(string tenantId, long batchNumber, IReadOnlyList<RecipientRow> rows)
    {
        EnsureOwnedBy(tenantId);
        if (record.State.State != CampaignState.Draft || _freezing)
        {
            throw new MailPreconditionException($"Campaign {this.GetPrimaryKeyString()} has been started; its recipient list is frozen.");
        }

        var spoolRows = new SpoolRecipient[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            spoolRows[i] = new SpoolRecipient(
                MailIds.NewUuid(time), row.Address, SuppressionStore.Key(row.Address), RecipientDomain.Of(row.Address),
                row.Variables.Count == 0 ? null : JsonSerializer.Serialize(row.Variables));
        }

        _batchesCommitting++;
        try
        {
            var result = await spool.CommitBatchAsync(CampaignUuid, tenantId, batchNumber, spoolRows, contentHash: Fingerprint(rows));
            _snapshot = null;
            if (!result.Replayed)
            {
                MailMetrics.Accepted.Add(result.Accepted, new KeyValuePair<string, object?>("kind", "campaign"));
            }

            return result;
        }
        catch (BatchContentMismatchException ex)
        {
            throw new MailPreconditionException(ex.Message);
        }
        finally
        {
            if (--_batchesCommitting == 0)
            {
                _batchesDone?.TrySetResult();
            }
        }
    }

    /// <summary>Refuses new recipient batches from now on and waits for the ones being committed.</summary>
    private async Task FreezeAsync()
    {
        _freezing = true;
        if (_batchesCommitting > 0)
        {
            _batchesDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _batchesDone.Task;
            _batchesDone = null;
        }
    }

    /// <summary>SHA-256 over the rows in order: address, then variables sorted by name.</summary>
    private static byte[] Fingerprint(IReadOnlyList<RecipientRow> rows)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var row in rows)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(row.Address));
            hash.AppendData([0]);
            foreach (var (name, value) in row.Variables.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
                hash.AppendData([1]);
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(value));
                hash.AppendData([2]);
            }

            hash.AppendData([3]);
        }

        return hash.GetHashAndReset();
    }

    /// <inheritdoc />
    public async Task<CampaignSnapshot> Start(string tenantId)
    {
        EnsureOwnedBy(tenantId);
        if (record.State.State == CampaignState.Draft)
        {
            await FreezeAsync();
            try
            {
                var current = await Snapshot(fresh: true);
                if (current.Total == 0)
                {
                    throw new MailPreconditionException($"Campaign {this.GetPrimaryKeyString()} has no recipients.");
                }

                // Frozen first, then queued: if the silo dies between the two, a retried Start queues the drafts.
                record.State.State = CampaignState.Running;
                record.State.StartedAt = time.GetUtcNow();
                await record.WriteStateAsync();
            }
            finally
            {
                // From here the state (Running) refuses batches; a Start that failed leaves the draft open again.
                _freezing = false;
            }
        }

        if (record.State.State == CampaignState.Running)
        {
            var queued = await spool.QueueDraftsAsync(CampaignUuid);
            if (queued > 0)
            {
                LogStarted(logger, this.GetPrimaryKeyString(), queued);
            }
        }

        return await Snapshot(fresh: true);
    }

    /// <inheritdoc />
    public async Task<CampaignSnapshot> GetSnapshot(string tenantId)
    {
        EnsureOwnedBy(tenantId);
        return await Snapshot(fresh: false);
    }

    /// <inheritdoc />
    public Task<MessagePage> ListMessages(string tenantId, MessageState? state, Guid? afterId, int pageSize)
    {
        EnsureOwnedBy(tenantId);
        return spool.ListAsync(CampaignUuid, state, afterId, pageSize);
    }

    private static void ValidateTemplate(string field, string template)
    {
        if (!LiquidTemplates.TryParse(template, out _, out var error))
        {
            throw new MailValidationException(field, $"Liquid syntax error: {error}");
        }

        // Templates come whole in the request: there are no template files to include.
        if (FileTags().IsMatch(template))
        {
            throw new MailValidationException(field, "the Liquid tags 'include' and 'render' are not supported (there are no template files)");
        }

        // Fluid materialises a range before iterating it; a literal range of millions would take memory
        // and time before the step limit could stop it.
        foreach (System.Text.RegularExpressions.Match range in LiteralRange().Matches(template))
        {
            if (!long.TryParse(range.Groups[1].Value, out var from) || !long.TryParse(range.Groups[2].Value, out var to) || Math.Abs(to - from) > MaxLiteralRange)
            {
                throw new MailValidationException(field, $"the Liquid range {range.Value} spans more than {MaxLiteralRange} values");
            }
        }
    }

    /// <summary>Largest literal Liquid range a template may hold, in values.</summary>
    private const long MaxLiteralRange = 10_000;

    [System.Text.RegularExpressions.GeneratedRegex(@"\(\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\)")]
    private static partial System.Text.RegularExpressions.Regex LiteralRange();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{%-?\s*(include|render)\b")]
    private static partial System.Text.RegularExpressions.Regex FileTags();

    private void EnsureOwnedBy(string tenantId)
    {
        if (record.State.TenantId is null || !string.Equals(record.State.TenantId, tenantId, StringComparison.Ordinal))
        {
            // Another tenant's campaign is indistinguishable from a missing one.
            throw new MailNotFoundException($"Campaign {this.GetPrimaryKeyString()} does not exist.");
        }
    }

    /// <inheritdoc />
    public async Task ReportAlert(CampaignAlertReport report)
    {
        var state = record.State;
        if (state.TenantId is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var sendingDomain = SendingDomain(state.Definition?.From);
        var reply = $"{report.Host}: {report.Reply}";
        state.Alerts[report.Kind] = state.Alerts.TryGetValue(report.Kind, out var seen)
            ? seen with { LastReply = reply, Count = seen.Count + report.Count, LastSeen = now }
            : new CampaignAlert(report.Kind, sendingDomain, reply, report.Count, now, now);
        await record.WriteStateAsync();
        _snapshot = null;
        LogAlert(logger, report.Kind, this.GetPrimaryKeyString(), state.TenantId, sendingDomain, report.Count, reply);
    }

    private static string SendingDomain(string? from)
    {
        if (from is null || !MimeKit.MailboxAddress.TryParse(from, out var mailbox))
        {
            return string.Empty;
        }

        return mailbox.Domain.ToLowerInvariant();
    }

    private async Task<CampaignSnapshot> Snapshot(bool fresh)
    {
        var now = time.GetUtcNow();
        if (!fresh && _snapshot is not null && now - _snapshotAt < SnapshotMaxAge)
        {
            return _snapshot;
        }

        var (counts, recent, classes, duplicates) = await spool.CountAsync(CampaignUuid, RateWindow);
        var state = record.State;
        if (state.State == CampaignState.Running && counts.Count > 0 && counts.Keys.All(IsTerminal))
        {
            state.State = CampaignState.Completed;
            state.CompletedAt = now;
            await record.WriteStateAsync();
            LogCompleted(logger, this.GetPrimaryKeyString(), counts.Values.Sum());
        }

        _snapshot = new CampaignSnapshot
        {
            Id = this.GetPrimaryKeyString(),
            Name = state.Definition?.Name ?? string.Empty,
            State = state.State,
            Counts = counts,
            ClassCounts = classes,
            PossibleDuplicates = duplicates,
            Alerts = state.Alerts.Values.OrderBy(a => a.FirstSeen).ToArray(),
            Weight = state.Definition?.Weight ?? 1,
            MessagesPerSecond = recent / RateWindow.TotalSeconds,
            CreatedAt = state.CreatedAt,
            StartedAt = state.StartedAt,
            CompletedAt = state.CompletedAt,
        };
        _snapshotAt = now;
        return _snapshot;
    }

    private static bool IsTerminal(MessageState state) =>
        state is MessageState.Delivered or MessageState.Bounced or MessageState.Expired or MessageState.Suppressed or MessageState.Cancelled;

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "Sender alert {Kind} for campaign {Campaign} of tenant {Tenant}: sending domain {SendingDomain}, {Count} more messages refused ({Reply})")]
    private static partial void LogAlert(ILogger logger, string kind, string campaign, string tenant, string sendingDomain, int count, string reply);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Campaign {Campaign} created for tenant {Tenant}")]
    private static partial void LogCreated(ILogger logger, string campaign, string tenant);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Campaign {Campaign} started: {Queued} messages queued")]
    private static partial void LogStarted(ILogger logger, string campaign, long queued);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Campaign {Campaign} completed: {Total} messages in terminal states")]
    private static partial void LogCompleted(ILogger logger, string campaign, long total);
}
