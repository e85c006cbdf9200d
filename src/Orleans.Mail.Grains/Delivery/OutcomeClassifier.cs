using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>What an attempt's outcome means: the action to take, its class, and whether it suppresses the recipient.</summary>
/// <param name="Action">Delivered, defer or bounce. A reply's meaning can contradict its code (a 5xx that is really temporary), so this, not the code, decides.</param>
/// <param name="Class">A class of the project's vocabulary (<c>ok</c>, <c>invalid-recipient</c>, <c>greylist</c>, …).</param>
/// <param name="Suppress">True for recipient-level permanent failures only.</param>
/// <param name="Throttle">True when the reply asks us to slow down for this destination.</param>
/// <param name="Rule">The classifier rule that fired, or null when none ran.</param>
public readonly record struct OutcomeClass(ReplyAction Action, string Class, bool Suppress, bool Throttle = false, string? Rule = null);

/// <summary>
/// Names each attempt's outcome: replies go through the <see cref="ReplyClassifier"/> (stage, basic and
/// enhanced code, provider text); failures without a reply are deferrals; routing failures keep the class
/// the router gave them.
/// </summary>
public sealed class OutcomeClassifier(ReplyClassifier replies)
{
    private static readonly HashSet<string> RecipientLevel = ["invalid-recipient", "inactive-mailbox", "bad-domain"];

    /// <summary>The meaning of <paramref name="outcome"/>.</summary>
    public OutcomeClass Classify(SendOutcome outcome)
    {
        if (outcome.Kind == SendResultKind.Delivered)
        {
            return new(ReplyAction.Delivered, "ok", false);
        }

        if (outcome.Class is { } known)
        {
            var bounce = outcome.Kind == SendResultKind.Permanent;
            return new(bounce ? ReplyAction.Bounce : ReplyAction.Defer, known, bounce && RecipientLevel.Contains(known));
        }

        if (outcome.Uncertain)
        {
            return new(ReplyAction.Defer, "uncertain", false);
        }

        if (outcome.Code == 0)
        {
            // No reply at all (refused, timed out, dropped): nothing says the recipient is at fault.
            return outcome.Kind == SendResultKind.Permanent
                ? new(ReplyAction.Bounce, "other-permanent", false)
                : new(ReplyAction.Defer, "other-transient", false);
        }

        var stage = SmtpStages.TryParse(outcome.Stage, out var parsed) ? parsed : SmtpStage.Any;
        // The sender records "code text"; rebuild the reply from its parts, since MailKit's text carries
        // no code prefixes on the lines of a multi-line reply.
        var prefix = $"{outcome.Code} ";
        var text = outcome.Reply.StartsWith(prefix, StringComparison.Ordinal) ? outcome.Reply[prefix.Length..] : outcome.Reply;
        if (outcome.Code is < 200 or > 599)
        {
            return new(ReplyAction.Defer, "other-transient", false);
        }

        var classification = replies.Classify(stage, SmtpReply.Create(outcome.Code, text));
        return new(
            classification.Action, classification.Class, classification.Suppress && classification.Action == ReplyAction.Bounce, classification.Throttle,
            classification.Rule);
    }
}
