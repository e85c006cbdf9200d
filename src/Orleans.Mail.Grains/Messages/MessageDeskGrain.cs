using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Concurrency;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Delivery.Sites;
using Orleans.Mail.Delivery.Telemetry;
using Orleans.Mail.Errors;
using Orleans.Mail.Grains.Delivery;
using Orleans.Mail.Messages;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Messages;

/// <summary>
/// Accepts transactional messages into the spool and reads any message's delivery status. Reentrant: it keeps
/// no state, and its calls wait on the database, so one activation serves many at once (a stateless worker
/// alone would run one call per activation, one activation per core, and queue the rest behind commits).
/// </summary>
[StatelessWorker, Reentrant]
public sealed class MessageDeskGrain(
    MessageStore store, TimeProvider time, EnvelopeSenderCheck senderCheck, SiteResolver siteResolver, IOptions<PacingOptions> pacing)
    : Grain, IMessageDeskGrain
{
    /// <inheritdoc />
    public async Task<Guid> Send(string tenantId, TransactionalMessage message)
    {
        await senderCheck.EnsureBouncesCanReturnAsync("envelope_sender", message.EnvelopeSender);
        var id = MailIds.NewUuid(time);
        var recipients = message.To.Concat(message.Cc)
            .Select(a => MailboxAddress.Parse(a).Address)
            // One copy per mailbox, however it is spelt (case, IDN U-label or A-label): the suppression key decides.
            .DistinctBy(SuppressionStore.Key)
            .Select(a => (a, RecipientDomain.Of(a)))
            .ToArray();
        var sites = new List<(string Domain, ISiteGrain Site)>();
        foreach (var domain in recipients.Select(r => r.Item2).Distinct(StringComparer.Ordinal))
        {
            sites.Add((domain, GrainFactory.GetGrain<ISiteGrain>(await siteResolver.SiteOfAsync(domain))));
        }

        await EnsureSitesCanTakeMoreAsync(sites);
        var content = new TransactionalContent(
            message.From, message.EnvelopeSender, message.To, message.Cc, message.Subject, message.TextBody, message.HtmlBody,
            message.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToArray());
        await store.InsertTransactionalAsync(id, tenantId, content.ToJson(), recipients, () => MailIds.NewUuid(time));
        MailMetrics.Accepted.Add(recipients.Length, new KeyValuePair<string, object?>("kind", "transactional"));

        // Have the recipients' sites claim it now rather than at the dispatcher's next tick: transactional
        // mail is waited for. The message is durable already; a failed wake only costs that tick.
        try
        {
            foreach (var (domain, site) in sites)
            {
                await site.Expedite([domain]);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Accepted is accepted: the caller must not see an error for a message that is in the spool.
        }

        return id;
    }

    /// <summary>Refuses the message when a recipient's site is over <see cref="PacingOptions.MaxSiteBacklogMessages"/>.</summary>
    /// <exception cref="MailBackPressureException">A site is too far behind.</exception>
    private async Task EnsureSitesCanTakeMoreAsync(List<(string Domain, ISiteGrain Site)> sites)
    {
        var settings = pacing.Value;
        if (settings.MaxSiteBacklogMessages <= 0)
        {
            return;
        }

        foreach (var (domain, site) in sites)
        {
            var backlog = await site.GetBacklog();
            if (backlog >= settings.MaxSiteBacklogMessages)
            {
                throw new MailBackPressureException(
                    $"The destination of {domain} ({site.GetPrimaryKeyString()}) is {backlog:N0} messages behind " +
                    $"(bound Pacing:MaxSiteBacklogMessages = {settings.MaxSiteBacklogMessages:N0}); nothing was accepted; " +
                    $"retry in {settings.SiteBacklogRetrySeconds} s.",
                    settings.SiteBacklogRetrySeconds);
            }
        }
    }

    /// <inheritdoc />
    public async Task<MessageStatus> Get(string tenantId, Guid messageId) =>
        await store.GetAsync(tenantId, messageId) ?? throw new MailNotFoundException($"Message {MailIds.Message(messageId)} does not exist.");
}
