namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// Maps (stage, SMTP reply) to what to do with the recipient: deliver, defer or bounce, the class, whether to
/// suppress the address and whether to slow down. Decision order:
/// <list type="number">
/// <item>a positive reply (2xx, 3xx) is <c>delivered</c>/<c>ok</c> (RFC 5321 §4.2.1: the first digit decides);</item>
/// <item>rules with a text pattern — the provider/text override table, optionally limited by stage and code;</item>
/// <item>rules on the enhanced status code (RFC 3463);</item>
/// <item>rules on the basic code only;</item>
/// <item>the generic rule: 4xx defer <c>other-transient</c>, 5xx bounce <c>other-permanent</c> (a 5xx greeting defers).</item>
/// </list>
/// The first matching rule decides. Extra rules (an operator's file or list) are tried before the built-in rules
/// of the same tier. Only recipient-level classes may suppress. Thread-safe; no I/O after construction.
/// </summary>
public sealed class ReplyClassifier
{
    private readonly ReplyRule[] _rules;

    /// <summary>A classifier with the built-in rules only.</summary>
    public ReplyClassifier()
        : this([])
    {
    }

    /// <summary>A classifier with extra rules tried before the built-in rules of the same tier.</summary>
    /// <param name="extraRules">Rules, e.g. from <see cref="ReplyRules.Parse"/>; their order is kept.</param>
    public ReplyClassifier(IEnumerable<ReplyRule> extraRules)
    {
        ArgumentNullException.ThrowIfNull(extraRules);
        _rules = extraRules.Concat(ReplyRules.BuiltIn).OrderBy(rule => rule.Tier).ToArray();
    }

    /// <summary>A shared classifier with the built-in rules only.</summary>
    public static ReplyClassifier Default { get; } = new();

    /// <summary>Every rule in the order tried.</summary>
    public IReadOnlyList<ReplyRule> Rules => _rules;

    /// <summary>A classifier with the built-in rules plus the rules of a file (see <see cref="ReplyRules"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file has an invalid line.</exception>
    public static ReplyClassifier WithRulesFile(string path) => new(ReplyRules.Load(path));

    /// <summary>Parses and classifies a reply.</summary>
    /// <param name="stage">Where in the session the reply came.</param>
    /// <param name="reply">The full reply, every line, separated by CRLF or LF.</param>
    /// <exception cref="FormatException">The text is not an SMTP reply (see <see cref="SmtpReply.Parse"/>).</exception>
    public ReplyClassification Classify(SmtpStage stage, string reply) => Classify(stage, SmtpReply.Parse(reply));

    /// <summary>Classifies a parsed reply.</summary>
    /// <param name="stage">Where in the session the reply came.</param>
    /// <param name="reply">The reply.</param>
    public ReplyClassification Classify(SmtpStage stage, SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsPositive)
        {
            return new ReplyClassification(ReplyAction.Delivered, ReplyClass.Ok, Suppress: false, Throttle: false) { Rule = "positive" };
        }

        foreach (var rule in _rules)
        {
            if (rule.Matches(stage, reply))
            {
                return rule.Apply(stage, reply);
            }
        }

        var transient = reply.Code < 500;
        return new ReplyClassification(
            ReplyRule.AutoAction(stage, reply.Code),
            transient ? ReplyClass.OtherTransient : ReplyClass.OtherPermanent,
            Suppress: false,
            Throttle: false)
        {
            Rule = transient ? "generic-4xx" : "generic-5xx",
        };
    }
}
