using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Concurrency;
using Orleans.Mail.Campaigns;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Delivery.Retries;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.Delivery.Telemetry;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// Delivers one batch over SMTP and records every outcome in one batched spool write. Decides nothing
/// about pace: the domain grain sized the batch. Up to 64 activations per silo run batches side by side;
/// <see cref="DeliverySlots"/> keeps the number of batches at or below that, so none waits in a queue.
/// </summary>
[StatelessWorker(64)]
public sealed partial class DeliveryWorkerGrain(
    SmtpBatchSender sender,
    MessageComposer composer,
    CampaignContentCache campaigns,
    DeliveryQueue queue,
    RetrySchedule retries,
    OutcomeClassifier classifier,
    IOptions<PacingOptions> pacing,
    TimeProvider time,
    ILogger<DeliveryWorkerGrain> logger) : Grain, IDeliveryWorkerGrain
{
    /// <inheritdoc />
    public async Task<DeliveryBatchResult> Deliver(DeliveryBatch batch)
    {
        var outgoing = new List<OutgoingMessage>(batch.Messages.Count);
        foreach (var message in batch.Messages)
        {
            outgoing.Add(await PrepareAsync(message));
        }

        var site = batch.Site ?? batch.Domain;
        var siteLimit = batch.ConnectionLimit > 0 ? batch.ConnectionLimit : int.MaxValue;
        // In a slot, one session at most (so the site's sessions on all silos stay within its limit), and the
        // site's limit still bounds this silo's sessions to it, idle ones of slots no longer in use included.
        var budget = batch.Slot >= 0
            ? new SessionBudget(DeliverySlotKey.Of(site, batch.Slot), 1, batch.IdleConnectionMs, batch.ConnectionsPerMinute, site, siteLimit)
            : new SessionBudget(site, siteLimit, batch.IdleConnectionMs, batch.ConnectionsPerMinute);
        var perConnection = batch.MessagesPerConnection > 0 ? batch.MessagesPerConnection : pacing.Value.MessagesPerConnection;
        var results = await sender.SendAsync(batch.Domain, outgoing, perConnection, budget, batch.StartBefore, CancellationToken.None);
        var byId = batch.Messages.ToDictionary(m => m.SpoolId);
        var outcomes = new List<AttemptOutcome>(results.Count);
        int delivered = 0, deferred = 0, bounced = 0, expired = 0, throttled = 0, reputation = 0;
        int? connectionCap = null;
        var policyBlocked = 0;
        (string Reply, string Class)? lastFailure = null;
        Dictionary<Guid, SendOutcome>? authFailures = null;
        var now = time.GetUtcNow();
        foreach (var result in results)
        {
            var message = byId[result.Id];
            var classification = classifier.Classify(result);
            if (classification.Throttle)
            {
                throttled++;
            }

            if (classification.Class == "reputation-defer")
            {
                reputation++;
            }

            if (classification.Class == "policy-block")
            {
                policyBlocked++;
            }

            if (classification.Action != ReplyAction.Delivered)
            {
                lastFailure = (result.Reply, classification.Class);
            }

            if (classification.Rule == TooManyConnectionsRule && result.OpenSessions is { } open)
            {
                // The host refused one more session while we had `open` with it: that is its limit for us.
                connectionCap = Math.Min(connectionCap ?? int.MaxValue, open);
            }

            if (classification.Class == "auth-failure" && message.CampaignId is { } failedCampaign)
            {
                (authFailures ??= []).TryAdd(failedCampaign, result);
            }

            switch (classification.Action)
            {
                case ReplyAction.Delivered:
                    delivered++;
                    outcomes.Add(Outcome(result, MessageState.Delivered, null, "delivered", classification, now));
                    break;
                case ReplyAction.Bounce:
                    bounced++;
                    outcomes.Add(Outcome(result, MessageState.Bounced, null, "bounce", classification, now));
                    break;
                default:
                    var profile = message.CampaignId is null ? RetryProfile.Transactional : RetryProfile.Bulk;
                    var attempts = result.NotTried ? message.Attempts : message.Attempts + 1;
                    var next = result is { NotTried: true, Stage: SmtpBatchSender.LeaseStage }
                        ? now // ran out of lease time before its turn: due again at once
                        : retries.NextAttempt(Math.Max(1, attempts), message.CreatedAt, profile, result.Reply, classification.Class,
                            classification.Throttle || result.NotTried);
                    if (next is null)
                    {
                        expired++;
                        outcomes.Add(Outcome(result, MessageState.Expired, null, "defer", classification, now));
                    }
                    else
                    {
                        deferred++;
                        outcomes.Add(Outcome(result, MessageState.Deferred, next, "defer", classification, now));
                    }

                    break;
            }
        }

        await queue.RecordAsync(outcomes);
        CountOutcomes(outcomes);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var outcome in outcomes)
            {
                var message = byId[outcome.SpoolId];
                LogOutcome(logger, MailIds.Message(message.MessageId), message.CampaignId is { } c ? MailIds.Campaign(c) : "-",
                    batch.Site ?? batch.Domain, message.Recipient, outcome.Action, outcome.Class, outcome.Reply);
            }
        }
        if (authFailures is not null)
        {
            foreach (var (campaignId, failure) in authFailures)
            {
                var count = outcomes.Count(o => o.Class == "auth-failure" && byId[o.SpoolId].CampaignId == campaignId);
                await GrainFactory.GetGrain<ICampaignGrain>(MailIds.Campaign(campaignId)).ReportAlert(
                    new CampaignAlertReport(CampaignAlertKinds.AuthFailure, failure.Host, failure.Reply, count));
            }
        }

        return new DeliveryBatchResult(delivered, deferred, bounced, expired, throttled, reputation, connectionCap,
            PolicyBlocked: policyBlocked, LastReply: lastFailure?.Reply, LastClass: lastFailure?.Class);
    }

    /// <summary>The classifier rule for "421 too many connections" (reply-rules.tsv).</summary>
    private const string TooManyConnectionsRule = "too-many-connections";

    private static AttemptOutcome Outcome(
        SendOutcome result, MessageState state, DateTimeOffset? next, string action, OutcomeClass classification, DateTimeOffset now) =>
        new(result.Id, state, next, result.Host, result.Code, result.Reply, action, now,
            classification.Class, classification.Suppress && state == MessageState.Bounced, result.RemoteIp, result.Tls, result.Uncertain,
            classification.Rule, result.TlsNote, Tried: !result.NotTried);

    private async Task<OutgoingMessage> PrepareAsync(LeasedMessage message)
    {
        var recipient = MailboxAddress.Parse(message.Recipient);
        if (message.CampaignId is { } campaignId)
        {
            var content = await campaigns.GetAsync(campaignId);
            return new OutgoingMessage(message.SpoolId, content.EnvelopeSender, recipient,
                () => composer.ComposeCampaign(content, message.MessageId, message.Recipient, message.VariablesJson));
        }

        var transactional = TransactionalContent.FromJson(message.TransactionalJson ?? "{}");
        // Recipients of one transactional message on this domain share one transaction (one DATA).
        return new OutgoingMessage(message.SpoolId, MailboxAddress.Parse(transactional.EnvelopeSender), recipient,
            () => composer.ComposeTransactional(transactional, message.MessageId), GroupKey: message.MessageId.ToString("N"));
    }

    /// <summary>Counts recorded attempts in <see cref="MailMetrics.Outcomes"/>; messages not tried are not attempts.</summary>
    private static void CountOutcomes(IReadOnlyList<AttemptOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (!outcome.Tried)
            {
                continue;
            }

            var action = outcome.State switch
            {
                MessageState.Delivered => "delivered",
                MessageState.Bounced => "bounced",
                MessageState.Expired => "expired",
                _ => "deferred",
            };
            MailMetrics.Outcomes.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("class", outcome.Class));
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug,
        Message = "Message {MessageId} (campaign {CampaignId}) to {Recipient} at site {Site}: {Action} {Class}, {Reply}")]
    private static partial void LogOutcome(
        ILogger logger, string messageId, string campaignId, string site, string recipient, string action, string @class, string reply);
}
