namespace Orleans.Mail.Delivery.Smtp;

/// <summary>How one SMTP transaction ended.</summary>
public enum SendResultKind
{
    /// <summary>2xx to the final dot: the receiving server took responsibility.</summary>
    Delivered,
    /// <summary>A 4xx reply, or no reply (no connection, connection lost, timeout): try again later.</summary>
    Temporary,
    /// <summary>A 5xx reply: do not try again.</summary>
    Permanent,
}

/// <summary>The result of one message's attempt.</summary>
/// <param name="Id">The caller's id of the message.</param>
/// <param name="Host">The host attempted (<c>host:port</c>), or <c>-</c> when none was reached.</param>
/// <param name="Code">The reply code, 0 when there was no reply.</param>
/// <param name="Reply">The full reply (code and text), or the local failure.</param>
/// <param name="Kind">The outcome.</param>
public sealed record SendOutcome(Guid Id, string Host, int Code, string Reply, SendResultKind Kind);
