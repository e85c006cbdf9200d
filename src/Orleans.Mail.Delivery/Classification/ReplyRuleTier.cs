namespace Orleans.Mail.Delivery.Classification;

/// <summary>The order in which groups of rules are tried (see <see cref="ReplyRule.Tier"/>).</summary>
public enum ReplyRuleTier
{
    /// <summary>Rules with a text pattern: the provider/text override table, tried first.</summary>
    Text,

    /// <summary>Rules on the enhanced status code without a text pattern.</summary>
    EnhancedCode,

    /// <summary>Rules on the basic code and stage only, tried just before the generic fallback.</summary>
    BasicCode,
}
