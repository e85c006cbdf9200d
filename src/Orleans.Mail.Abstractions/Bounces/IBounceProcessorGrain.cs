namespace Orleans.Mail.Bounces;

/// <summary>What processing one DSN did, counted per recipient report.</summary>
/// <param name="Bounced">Recipients marked Bounced (a <c>failed</c> report that matched a spool row).</param>
/// <param name="Delayed">Delay warnings (<c>delayed</c> reports): logged, no state change.</param>
/// <param name="Ignored">
/// Reports with no consequence (<c>delivered</c>, <c>relayed</c>, <c>expanded</c>, no recipient); a whole message
/// that is not acted on — not a DSN, a DSN about a DSN, no Message-ID of ours — counts its reports, at least 1.
/// </param>
/// <param name="Unmatched">Failed reports about one of our messages that matched no spool row (unknown message or recipient).</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.BounceReport")]
public sealed record BounceReport(
    [property: Id(0)] int Bounced,
    [property: Id(1)] int Delayed,
    [property: Id(2)] int Ignored,
    [property: Id(3)] int Unmatched);

/// <summary>
/// Processes asynchronous bounces: delivery status notifications (RFC 3464) that arrive after the receiver accepted
/// the message. Failed recipients of our messages become Bounced with a classified delivery-log entry (host
/// <c>dsn</c>) and, for recipient-level classes, go on the tenant's suppression list; delay warnings are logged only.
/// Messages whose returned Message-ID is not ours (another domain than <c>Smtp:MessageIdDomain</c>) and reports
/// about reports are ignored. A stateless worker; use key 0.
/// </summary>
[Alias("orleans.mail.IBounceProcessorGrain")]
public interface IBounceProcessorGrain : IGrainWithIntegerKey
{
    /// <summary>Processes one received message.</summary>
    /// <param name="rawMessage">The message as received (RFC 5322 bytes, headers and body).</param>
    /// <returns>The counts; a message that is not a DSN is counted as ignored, never an error.</returns>
    [Alias("Process")]
    Task<BounceReport> Process(byte[] rawMessage);
}
