using System.Text.RegularExpressions;

namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// One classification rule: conditions on the stage, the basic code, the enhanced code and the reply text, and
/// the outcome when they all hold. Rules see only failure replies (4xx/5xx): a positive reply is always
/// delivered. The arguments use the syntax of the columns of a rule file (see <see cref="ReplyRules"/>).
/// </summary>
public sealed class ReplyRule
{
    /// <summary>The longest a text pattern may run on one reply before the match is abandoned (an error).</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(250);

    private readonly SmtpStage[] _stages;
    private readonly BasicCodePattern _code;
    private readonly EnhancedCodePattern _enhanced;
    private readonly Regex? _pattern;
    private readonly ReplyAction? _action;
    private readonly bool _neverSuppress;

    /// <summary>Creates a rule.</summary>
    /// <param name="name">A unique, stable name; reported in <see cref="ReplyClassification.Rule"/>.</param>
    /// <param name="replyClass">The class it assigns, one of <see cref="ReplyClass.All"/> except <c>ok</c>.</param>
    /// <param name="stage"><c>*</c>, or comma-separated stage names (<see cref="SmtpStages"/>) the reply must come from.</param>
    /// <param name="code"><c>*</c>, or comma-separated basic codes with <c>x</c> for any digit: <c>4xx</c>, <c>55x</c>, <c>550</c>.</param>
    /// <param name="enhanced"><c>*</c>, or comma-separated enhanced codes, each part a number, <c>*</c> or a range: <c>5.1.1</c>, <c>*.2.2</c>, <c>4.7.500-699</c>.</param>
    /// <param name="pattern">
    /// <c>*</c>, or a .NET regular expression searched (case-insensitive) in <see cref="SmtpReply.FlatText"/>.
    /// </param>
    /// <param name="action">
    /// <c>auto</c> (4xx defer; 5xx bounce, but defer for a greeting — RFC 5321 §3.1 lets the client try another
    /// MX), <c>defer</c> or <c>bounce</c>.
    /// </param>
    /// <param name="throttle">True when the receiver asks us to slow down.</param>
    /// <param name="suppress">
    /// <c>auto</c> or <c>yes</c> (suppress when the action is bounce and the class is recipient-level), or
    /// <c>no</c> (never). <c>yes</c> is refused for a class that is not recipient-level.
    /// </param>
    /// <exception cref="ArgumentException">An argument does not follow its syntax, or the class is unknown.</exception>
    public ReplyRule(
        string name,
        string replyClass,
        string stage = "*",
        string code = "*",
        string enhanced = "*",
        string pattern = "*",
        string action = "auto",
        bool throttle = false,
        string suppress = "auto")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("a rule needs a name.", nameof(name));
        }

        Name = name.Trim();
        Class = replyClass.Trim();
        if (!ReplyClass.IsKnown(Class) || Class == ReplyClass.Ok)
        {
            throw new ArgumentException($"class '{replyClass}' is not a failure class; expected one of: {string.Join(", ", ReplyClass.All.Skip(1))}.", nameof(replyClass));
        }

        _stages = stage.Trim() is "*" or "" ? [] : stage.Split(',', StringSplitOptions.TrimEntries).Select(ParseStage).ToArray();
        _code = BasicCodePattern.Parse(code);
        _enhanced = EnhancedCodePattern.Parse(enhanced);
        _pattern = pattern.Trim() is "*" or "" ? null : CreateRegex(pattern.Trim());
        _action = action.Trim().ToLowerInvariant() switch
        {
            "auto" or "" => null,
            "defer" => ReplyAction.Defer,
            "bounce" => ReplyAction.Bounce,
            _ => throw new ArgumentException($"action '{action}' is not auto, defer or bounce.", nameof(action)),
        };
        Throttle = throttle;
        _neverSuppress = suppress.Trim().ToLowerInvariant() switch
        {
            "auto" or "" => false,
            "yes" when ReplyClass.IsRecipientLevel(Class) => false,
            "yes" => throw new ArgumentException($"suppress 'yes' is only allowed for recipient-level classes ({ReplyClass.InvalidRecipient}, {ReplyClass.InactiveMailbox}, {ReplyClass.BadDomain}), not '{Class}'.", nameof(suppress)),
            "no" => true,
            _ => throw new ArgumentException($"suppress '{suppress}' is not auto, yes or no.", nameof(suppress)),
        };
        Tier = _pattern is not null ? ReplyRuleTier.Text : !_enhanced.IsAny ? ReplyRuleTier.EnhancedCode : ReplyRuleTier.BasicCode;
    }

    /// <summary>The rule's name.</summary>
    public string Name { get; }

    /// <summary>The class the rule assigns.</summary>
    public string Class { get; }

    /// <summary>True when the rule asks for throttling.</summary>
    public bool Throttle { get; }

    /// <summary>
    /// When the rule is tried: rules with a text pattern first, then rules on the enhanced code, then rules on the
    /// basic code only; within a tier, extra rules before built-in ones, each in file order.
    /// </summary>
    public ReplyRuleTier Tier { get; }

    /// <summary>True when every condition holds. <see cref="SmtpStage.Any"/> satisfies any stage condition.</summary>
    /// <exception cref="RegexMatchTimeoutException">The pattern ran longer than <see cref="PatternTimeout"/>.</exception>
    public bool Matches(SmtpStage stage, SmtpReply reply) =>
        !reply.IsPositive
        && (_stages.Length == 0 || stage == SmtpStage.Any || _stages.Contains(stage))
        && _code.Matches(reply.Code)
        && _enhanced.Matches(reply.EnhancedCode)
        && (_pattern is null || _pattern.IsMatch(reply.FlatText));

    /// <summary>The outcome of this rule for a reply it matches.</summary>
    public ReplyClassification Apply(SmtpStage stage, SmtpReply reply)
    {
        var action = _action ?? AutoAction(stage, reply.Code);
        var suppress = action == ReplyAction.Bounce && ReplyClass.IsRecipientLevel(Class) && !_neverSuppress;
        return new ReplyClassification(action, Class, suppress, Throttle) { Rule = Name };
    }

    /// <summary>The action by basic code: 4xx defer, 5xx bounce — except that a 5xx greeting defers (try another MX later).</summary>
    public static ReplyAction AutoAction(SmtpStage stage, int code) =>
        code < 400 ? ReplyAction.Delivered
        : code < 500 || stage == SmtpStage.Connect ? ReplyAction.Defer
        : ReplyAction.Bounce;

    /// <summary>The rule's name.</summary>
    public override string ToString() => Name;

    private static SmtpStage ParseStage(string text) =>
        SmtpStages.TryParse(text, out var stage) && text.Trim().Length > 0
            ? stage
            : throw new ArgumentException($"stage '{text}' is unknown; expected * or some of: {string.Join(", ", SmtpStages.Names)}.");

    private static Regex CreateRegex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, PatternTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"pattern is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }
    }
}
