namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// The point of an SMTP session (RFC 5321 §3, §4.1.1) at which a reply was received. The stage changes what a
/// reply means: a 5xx greeting refuses one host, not a recipient; a "user unknown" after MAIL FROM is about our
/// envelope sender, after RCPT TO about the recipient.
/// </summary>
public enum SmtpStage
{
    /// <summary>Not known (text <c>any</c>, <c>*</c> or empty). Every rule's stage condition accepts it.</summary>
    Any,

    /// <summary>The greeting after the TCP connection (text <c>connect</c>, <c>greeting</c> or <c>banner</c>).</summary>
    Connect,

    /// <summary>The reply to EHLO or HELO (text <c>ehlo</c>, <c>helo</c> or <c>lhlo</c>).</summary>
    Ehlo,

    /// <summary>The reply to STARTTLS or the TLS handshake (text <c>starttls</c> or <c>tls</c>).</summary>
    StartTls,

    /// <summary>The reply to AUTH (text <c>auth</c>).</summary>
    Auth,

    /// <summary>The reply to MAIL FROM (text <c>mail</c> or <c>mail-from</c>).</summary>
    Mail,

    /// <summary>The reply to RCPT TO (text <c>rcpt</c> or <c>rcpt-to</c>).</summary>
    Rcpt,

    /// <summary>The reply to DATA or a reply that arrives while the body is sent (text <c>data</c>).</summary>
    Data,

    /// <summary>The reply to the final "." that ends the body (text <c>dot</c>, <c>end-of-data</c> or <c>eod</c>).</summary>
    Dot,
}
