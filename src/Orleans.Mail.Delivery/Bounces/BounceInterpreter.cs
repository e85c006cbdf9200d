using System.Globalization;
using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Bounces;

/// <summary>
/// Turns the recipient groups of a DSN (RFC 3464) into bounce and delay notices. <c>failed</c> is a bounce, its
/// class decided by the <see cref="ReplyClassifier"/>; <c>delayed</c> is a delay notice (no state change);
/// <c>delivered</c>, <c>relayed</c> and <c>expanded</c> yield nothing.
/// The per-recipient Status beats vendor labels and free text: the reply classified is built from the
/// Diagnostic-Code's basic code when it has one of the Status's class (else 550 for a 5.x.x Status, 450 for 4.x.x)
/// with the Status as its enhanced code, and a specific Status (detail or subject not 0) is classified on its own
/// first — the Diagnostic-Code text decides only when the Status alone leads to a generic class.
/// Thread-safe.
/// </summary>
public sealed class BounceInterpreter(ReplyClassifier classifier)
{
    /// <summary>The stage the replies behind a DSN are classified at: the failure is about the recipient.</summary>
    private const SmtpStage Stage = SmtpStage.Rcpt;

    /// <summary>The notices of a report, in the order of its groups; empty for an ignored report.</summary>
    /// <param name="report">A parsed DSN.</param>
    public IReadOnlyList<BounceNotice> Interpret(DsnReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var notices = new List<BounceNotice>(report.Recipients.Count);
        foreach (var recipient in report.Recipients)
        {
            if (recipient.Recipient is null || recipient.Action is not (DsnAction.Failed or DsnAction.Delayed))
            {
                continue;
            }

            var failed = recipient.Action == DsnAction.Failed;
            var (reply, classification) = Classify(recipient, failed ? 5 : 4);
            notices.Add(new BounceNotice(
                recipient.Recipient,
                failed ? BounceNoticeKind.Bounce : BounceNoticeKind.Delay,
                classification.Class,
                failed && ReplyClass.IsRecipientLevel(classification.Class),
                reply.Code,
                reply.FlatText,
                classification.Rule));
        }

        return notices;
    }

    /// <summary>The reply a recipient group stands for, and its classification.</summary>
    /// <param name="recipient">The group.</param>
    /// <param name="defaultClass">The status class to assume when the group has no usable Status: 5 for failed, 4 for delayed.</param>
    internal (SmtpReply Reply, ReplyClassification Classification) Classify(DsnRecipient recipient, int defaultClass)
    {
        var status = recipient.Status is { Class: 4 or 5 } s ? s : (EnhancedStatusCode?)null;
        var statusClass = status?.Class ?? defaultClass;
        var diagnostic = recipient.DiagnosticCode;
        SmtpReply.TryParse(diagnostic, out var diagnosticReply);
        var code = diagnosticReply is { Code: var c } && c / 100 == statusClass ? c : statusClass * 100 + 50;

        // The text without its codes: the Status replaces any enhanced code the diagnostic carried.
        var text = diagnosticReply is not null ? StripEnhanced(diagnosticReply.Text) : StripEnhanced(diagnostic ?? string.Empty);
        var enhanced = status?.ToString() ?? diagnosticReply?.EnhancedCode?.ToString();
        var full = SmtpReply.Create(code, Join(enhanced, text));

        if (status is { } specific && (specific.Subject != 0 || specific.Detail != 0))
        {
            var statusOnly = classifier.Classify(Stage, SmtpReply.Create(code, specific.ToString()));
            if (!statusOnly.Rule.StartsWith("generic-", StringComparison.Ordinal))
            {
                return (full, statusOnly);
            }
        }

        return (full, classifier.Classify(Stage, full));
    }

    private static string Join(string? enhanced, string text) =>
        string.Join(' ', new[] { enhanced, text.Replace('\n', ' ') }.Where(t => !string.IsNullOrWhiteSpace(t)));

    /// <summary>The text without a leading enhanced code (<c>5.1.1 user unknown</c> → <c>user unknown</c>) and without a repeated basic code.</summary>
    private static string StripEnhanced(string text)
    {
        var trimmed = text.Trim();
        var space = trimmed.IndexOfAny([' ', '\t']);
        var first = space < 0 ? trimmed : trimmed[..space];
        if (first.StartsWith('#'))
        {
            first = first[1..];
        }

        if (EnhancedStatusCode.TryParse(first, out _)
            || (first.Length == 3 && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var basic) && basic is >= 200 and <= 599))
        {
            return space < 0 ? string.Empty : StripEnhanced(trimmed[(space + 1)..]);
        }

        return trimmed;
    }
}
