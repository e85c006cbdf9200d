namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// The classes a reply is sorted into: the project's one vocabulary, shared with the labelled reply corpus
/// (<c>smtp-replies.tsv</c>) and the outcomes of the SMTP case catalogue (e.g. <c>bounced(invalid-recipient)</c>).
/// Only the recipient-level classes — <see cref="InvalidRecipient"/>, <see cref="InactiveMailbox"/> and
/// <see cref="BadDomain"/> — may lead to suppressing an address.
/// </summary>
public static class ReplyClass
{
    /// <summary>Positive reply.</summary>
    public const string Ok = "ok";

    /// <summary>The mailbox does not exist or its address is invalid (e.g. 5.1.1). Recipient-level.</summary>
    public const string InvalidRecipient = "invalid-recipient";

    /// <summary>The mailbox exists but is disabled, archived or moved (e.g. 5.2.1, 5.1.6). Recipient-level.</summary>
    public const string InactiveMailbox = "inactive-mailbox";

    /// <summary>The recipient's domain does not exist or accepts no mail (NXDOMAIN, null MX, 5.1.2, 5.1.10). Recipient-level.</summary>
    public const string BadDomain = "bad-domain";

    /// <summary>The mailbox is over quota (5.2.2, 4.2.2).</summary>
    public const string MailboxFull = "mailbox-full";

    /// <summary>The message is over a size limit (5.3.4, 5.2.3).</summary>
    public const string MessageTooLarge = "message-too-large";

    /// <summary>Blocked by IP/domain reputation, a blocklist or a receiver's policy.</summary>
    public const string PolicyBlock = "policy-block";

    /// <summary>SPF, DKIM or DMARC failed: a problem of the sender's configuration (5.7.26, 5.7.515).</summary>
    public const string AuthFailure = "auth-failure";

    /// <summary>The content was refused: spam verdict, virus, RFC 5322 format.</summary>
    public const string ContentRejected = "content-rejected";

    /// <summary>A protocol problem on our side: syntax, SMTPUTF8, 8-bit data, line length, bare LF.</summary>
    public const string Protocol = "protocol";

    /// <summary>The receiver requires TLS (or a newer TLS version).</summary>
    public const string TlsRequired = "tls-required";

    /// <summary>A temporary deferral because of the sending IP's or domain's reputation (Gmail 4.7.28).</summary>
    public const string ReputationDefer = "reputation-defer";

    /// <summary>Too many connections, messages or recipients per time unit.</summary>
    public const string RateLimit = "rate-limit";

    /// <summary>The receiving server is overloaded.</summary>
    public const string ServerBusy = "server-busy";

    /// <summary>Greylisting: retry from the same IP after the receiver's delay.</summary>
    public const string Greylist = "greylist";

    /// <summary>Too many RCPTs in one transaction (452 4.5.3): send the rest in a new transaction.</summary>
    public const string TooManyRecipients = "too-many-recipients";

    /// <summary>A DNS lookup failed temporarily.</summary>
    public const string DnsTemporary = "dns-temporary";

    /// <summary>Our envelope sender was refused (syntax, null MX, verification callout).</summary>
    public const string InvalidSender = "invalid-sender";

    /// <summary>Any other temporary failure (generic 4xx).</summary>
    public const string OtherTransient = "other-transient";

    /// <summary>Any other permanent failure (generic 5xx).</summary>
    public const string OtherPermanent = "other-permanent";

    /// <summary>Every class, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Ok, InvalidRecipient, InactiveMailbox, BadDomain, MailboxFull, MessageTooLarge, PolicyBlock, AuthFailure,
        ContentRejected, Protocol, TlsRequired, ReputationDefer, RateLimit, ServerBusy, Greylist, TooManyRecipients,
        DnsTemporary, InvalidSender, OtherTransient, OtherPermanent,
    ];

    /// <summary>True when the name is one of <see cref="All"/> (ordinal, lower case).</summary>
    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);

    /// <summary>True for the classes that describe the recipient's address itself and so may suppress it.</summary>
    public static bool IsRecipientLevel(string name) => name is InvalidRecipient or InactiveMailbox or BadDomain;
}
