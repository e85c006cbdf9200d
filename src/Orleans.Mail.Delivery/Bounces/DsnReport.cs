using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Bounces;

/// <summary>The <c>Action</c> field of a per-recipient DSN group (RFC 3464 §2.3.3).</summary>
public enum DsnAction
{
    /// <summary>No Action field and none could be inferred from the Status.</summary>
    Unknown,

    /// <summary><c>failed</c>: the message could not be delivered; the reporting MTA gave up.</summary>
    Failed,

    /// <summary><c>delayed</c>: not yet delivered, the reporting MTA keeps trying.</summary>
    Delayed,

    /// <summary><c>delivered</c>: delivered to the recipient.</summary>
    Delivered,

    /// <summary><c>relayed</c>: passed on to a system that sends no DSNs.</summary>
    Relayed,

    /// <summary><c>expanded</c>: delivered and forwarded on to several addresses (a list or alias).</summary>
    Expanded,
}

/// <summary>Why a message yields no recipient reports.</summary>
public enum DsnIgnoreReason
{
    /// <summary>Not ignored.</summary>
    None,

    /// <summary>No <c>multipart/report; report-type=delivery-status</c> part (RFC 3462/6522) was found.</summary>
    NotADsn,

    /// <summary>The returned message is itself a report or had a null envelope sender: a DSN about a DSN, never acted on (no loops).</summary>
    AboutADsn,
}

/// <summary>One per-recipient group of a DSN (RFC 3464 §2.3).</summary>
/// <param name="Recipient">
/// The address of <c>Final-Recipient</c> (else <c>Original-Recipient</c>, else the DSN's <c>X-Failed-Recipients</c>
/// or the returned message's single <c>To</c> address) without its <c>rfc822;</c> type; null when none is known.
/// </param>
/// <param name="Action">The Action field; when absent, inferred from the Status class (5 failed, 4 delayed, 2 delivered).</param>
/// <param name="Status">The Status field (RFC 3463 enhanced code), null when absent or malformed.</param>
/// <param name="DiagnosticCode">The text of <c>Diagnostic-Code</c> after its type (e.g. <c>550 5.1.1 user unknown</c> for <c>smtp; 550 5.1.1 user unknown</c>), unfolded; null when absent.</param>
public sealed record DsnRecipient(string? Recipient, DsnAction Action, EnhancedStatusCode? Status, string? DiagnosticCode);

/// <summary>What a DSN says: which message it is about and what happened to each recipient.</summary>
/// <param name="OriginalMessageId">
/// The Message-ID of the returned message without angle brackets (from its <c>text/rfc822-headers</c> or
/// <c>message/rfc822</c> part; else the DSN's <c>In-Reply-To</c>/<c>References</c>); null when none is found.
/// </param>
/// <param name="Recipients">The per-recipient reports, in order; empty when ignored.</param>
/// <param name="Ignored">Why the message is not acted on, <see cref="DsnIgnoreReason.None"/> when it is.</param>
public sealed record DsnReport(string? OriginalMessageId, IReadOnlyList<DsnRecipient> Recipients, DsnIgnoreReason Ignored = DsnIgnoreReason.None)
{
    /// <summary>A report for a message that is not acted on.</summary>
    public static DsnReport Ignore(DsnIgnoreReason reason, string? originalMessageId = null) => new(originalMessageId, [], reason);
}
