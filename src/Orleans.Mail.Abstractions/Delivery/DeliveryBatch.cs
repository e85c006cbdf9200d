namespace Orleans.Mail.Delivery;

/// <summary>A message leased from the spool for one delivery attempt to one envelope recipient.</summary>
/// <param name="SpoolId">The spool row (one per envelope recipient).</param>
/// <param name="MessageId">The message uuid (equal to <paramref name="SpoolId"/> for campaign messages); the Message-ID header is built from it, so a resend keeps it.</param>
/// <param name="CampaignId">The campaign, or null for a transactional message.</param>
/// <param name="Recipient">The envelope recipient.</param>
/// <param name="VariablesJson">Campaign template variables as a JSON object, or null.</param>
/// <param name="TransactionalJson">The transactional message content as JSON, or null.</param>
/// <param name="Attempts">Attempts made before this one.</param>
/// <param name="CreatedAt">When the message was accepted (UTC); its age decides expiry.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.LeasedMessage")]
public sealed record LeasedMessage(
    [property: Id(0)] Guid SpoolId,
    [property: Id(1)] Guid MessageId,
    [property: Id(2)] Guid? CampaignId,
    [property: Id(3)] string Recipient,
    [property: Id(4)] string? VariablesJson,
    [property: Id(5)] string? TransactionalJson,
    [property: Id(6)] int Attempts,
    [property: Id(7)] DateTimeOffset CreatedAt);

/// <summary>Messages for one domain, to go over one SMTP connection.</summary>
/// <param name="Domain">The recipient domain (lower-case A-label).</param>
/// <param name="Messages">The leased messages.</param>
/// <param name="ConnectionLimit">The sessions the site accepts from us now, over all its hosts (its connection limit,
/// lowered after throttle signals or a "421 too many connections"); idle pooled sessions count against it; 0: no limit.</param>
/// <param name="StartBefore">No SMTP transaction starts at or after this time (UTC), so that no message is still being
/// sent when its lease runs out and another worker takes it; the rest come back not tried. Null: no limit.</param>
/// <param name="IdleConnectionMs">How long idle connections to the site are kept, in ms; 0: <c>Smtp:IdleConnectionMs</c>.</param>
/// <param name="ConnectionsPerMinute">New connections per minute to the site from one silo; 0: no limit.</param>
/// <param name="Site">The site key the sessions are counted under (<see cref="ISiteGrain"/>); null: the domain.</param>
/// <param name="MessagesPerConnection">Transactions one connection to the site may carry; 0: <c>Pacing:MessagesPerConnection</c>.</param>
/// <param name="Slot">The site's connection slot the batch runs in (<see cref="IDeliverySlotGrain"/>): sessions are then counted per
/// slot, at most one each, so the site's sessions over all silos stay within its limit; -1: counted per site in this silo.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.DeliveryBatch")]
public sealed record DeliveryBatch(
    [property: Id(0)] string Domain,
    [property: Id(1)] IReadOnlyList<LeasedMessage> Messages,
    [property: Id(2)] int ConnectionLimit = 0,
    [property: Id(3)] int MessagesPerConnection = 0,
    [property: Id(4)] string? Site = null,
    [property: Id(5)] DateTimeOffset? StartBefore = null,
    [property: Id(6)] int IdleConnectionMs = 0,
    [property: Id(7)] int ConnectionsPerMinute = 0,
    [property: Id(8)] int Slot = -1);

/// <summary>What happened to a batch, counted by outcome, with the destination's throttle signals.</summary>
/// <param name="Delivered">Messages delivered.</param>
/// <param name="Deferred">Messages deferred.</param>
/// <param name="Bounced">Messages bounced.</param>
/// <param name="Expired">Messages expired.</param>
/// <param name="Throttled">Replies that asked us to slow down (rate limits, "421 too many connections").</param>
/// <param name="ReputationDeferred">Replies that defer us for our reputation (Yahoo TSS04, Gmail 4.7.28): the destination should be rested.</param>
/// <param name="ConnectionCap">After a "too many connections" refusal: the sessions the host still had from us, the most it tolerates (C12); else null.</param>
/// <param name="PolicyBlocked">Replies that block our sending IP by policy (class <c>policy-block</c>): the site is suspended, then probed.</param>
/// <param name="LastReply">The last reply of the batch that was not a delivery, or null.</param>
/// <param name="LastClass">Its class, or null.</param>
/// <param name="AuthFailures">Bounces for failed sender authentication (<c>auth-failure</c>: Gmail 5.7.26, Outlook.com 5.7.515): a sender configuration problem (C14).</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.DeliveryBatchResult")]
public sealed record DeliveryBatchResult(
    [property: Id(0)] int Delivered,
    [property: Id(1)] int Deferred,
    [property: Id(2)] int Bounced,
    [property: Id(3)] int Expired,
    [property: Id(4)] int Throttled = 0,
    [property: Id(5)] int ReputationDeferred = 0,
    [property: Id(6)] int? ConnectionCap = null,
    [property: Id(7)] int AuthFailures = 0,
    [property: Id(8)] int PolicyBlocked = 0,
    [property: Id(9)] string? LastReply = null,
    [property: Id(10)] string? LastClass = null);

/// <summary>Delivers batches over SMTP and records each outcome in the spool. A stateless worker.</summary>
[Alias("orleans.mail.IDeliveryWorkerGrain")]
public interface IDeliveryWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Sends every message of the batch (one connection, reused), records the outcomes in one
    /// batched write, and returns the counts. A batch may legitimately take minutes (RFC 5321 allows a
    /// server 10 minutes after the final dot), so the call waits up to 35 minutes, past the default lease.</summary>
    [Alias("Deliver")]
    [ResponseTimeout("00:35:00")]
    Task<DeliveryBatchResult> Deliver(DeliveryBatch batch);
}
