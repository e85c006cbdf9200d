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
/// <param name="Stage">Where the transaction ended: <c>connect</c>, <c>ehlo</c>, <c>mail</c>, <c>rcpt</c>, <c>data</c>, <c>dot</c> (the reply to the final dot), <c>route</c> (no host to try), or <c>lease</c> (not sent: the batch ran out of its lease time).</param>
/// <param name="Uncertain">True when the connection was lost after the final dot with no reply: the receiver may have the message.</param>
/// <param name="RemoteIp">The IP address of the session, or null when none was made.</param>
/// <param name="Tls">True when the session used TLS (STARTTLS).</param>
/// <param name="TlsNote">Set when STARTTLS failed and the session fell back to cleartext (C20): why.</param>
/// <param name="OpenSessions">When the host refused or closed on us with a <c>421</c> or a refused connection: the sessions this
/// process still had open to it (idle pooled ones included), which is what it tolerates (C12); else null.</param>
/// <param name="NotTried">True when the message was never offered to the receiver: the session was closed on us (a
/// <c>421</c>) before its turn. It is not an attempt.</param>
/// <param name="Class">The class when it is known without reading the reply: a routing failure such as a null MX (<c>bad-domain</c>), <c>tls-required</c> (a destination in <see cref="SmtpOptions.RequireTlsDomains"/> without a working STARTTLS), or <c>protocol</c> (a non-ASCII local part and no SMTPUTF8, RFC 6531, reply <c>553 5.6.7</c>); else null.</param>
public sealed record SendOutcome(
    Guid Id, string Host, int Code, string Reply, SendResultKind Kind,
    string Stage = "dot", bool Uncertain = false, string? RemoteIp = null, bool Tls = false, string? Class = null, string? TlsNote = null,
    int? OpenSessions = null, bool NotTried = false);
