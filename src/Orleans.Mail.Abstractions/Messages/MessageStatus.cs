namespace Orleans.Mail.Messages;

/// <summary>One SMTP delivery attempt.</summary>
/// <param name="Time">When the attempt ended (UTC).</param>
/// <param name="MxHost">The host attempted, as <c>host:port</c>.</param>
/// <param name="SmtpCode">The reply's three-digit code, 0 when there was no reply.</param>
/// <param name="Reply">The reply text, or the local failure when there was none.</param>
/// <param name="Action"><c>delivered</c>, <c>defer</c> or <c>bounce</c>.</param>
/// <param name="Class">The outcome class (<c>ok</c>, <c>greylist</c>, <c>invalid-recipient</c>, …).</param>
/// <param name="RemoteIp">The IP address connected to, or null.</param>
/// <param name="Tls">True when the session used TLS.</param>
/// <param name="Rule">The classification rule that decided the outcome, or null.</param>
/// <param name="Note">A note on the session, e.g. a STARTTLS fallback to cleartext, or null.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.DeliveryAttemptRecord")]
public sealed record DeliveryAttemptRecord(
    [property: Id(0)] DateTimeOffset Time,
    [property: Id(1)] string MxHost,
    [property: Id(2)] int SmtpCode,
    [property: Id(3)] string Reply,
    [property: Id(4)] string Action,
    [property: Id(5)] string Class = "other",
    [property: Id(6)] string? RemoteIp = null,
    [property: Id(7)] bool Tls = false,
    [property: Id(8)] string? Rule = null,
    [property: Id(9)] string? Note = null);

/// <summary>Delivery to one envelope recipient.</summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.RecipientStatus")]
public sealed record RecipientStatus(
    [property: Id(0)] string Address,
    [property: Id(1)] MessageState State,
    [property: Id(2)] IReadOnlyList<DeliveryAttemptRecord> Attempts);

/// <summary>A message and its delivery to each recipient.</summary>
/// <param name="Id">The message uuid.</param>
/// <param name="CampaignId">The campaign uuid, null for a transactional message.</param>
/// <param name="Recipients">One entry per envelope recipient.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.MessageStatus")]
public sealed record MessageStatus(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid? CampaignId,
    [property: Id(2)] IReadOnlyList<RecipientStatus> Recipients);
