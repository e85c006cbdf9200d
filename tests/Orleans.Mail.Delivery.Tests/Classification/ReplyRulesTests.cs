using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

public sealed class ReplyRulesTests
{
    private const string Header = "name\tstage\tcode\tenhanced\tpattern\taction\tclass\tthrottle\tsuppress";

    [Fact]
    public void BuiltIn_EmbeddedFile_LoadsRules()
    {
        Assert.True(ReplyRules.BuiltIn.Count >= 40, $"only {ReplyRules.BuiltIn.Count} built-in rules");
    }

    [Fact]
    public void Parse_ExtraTextRule_WinsOverBuiltInRules()
    {
        var extra = ReplyRules.Parse(
            ["# local provider", Header, "example-go-away\t*\t550\t*\tgo away\tauto\tpolicy-block\tyes\tauto"],
            "extra rules");
        var classifier = new ReplyClassifier(extra);

        var result = classifier.Classify(SmtpStage.Dot, "550 Go away");

        Assert.Equal((ReplyAction.Bounce, ReplyClass.PolicyBlock, true, "example-go-away"), (result.Action, result.Class, result.Throttle, result.Rule));
    }

    [Fact]
    public void Parse_ExtraEnhancedCodeRule_StillTriedAfterBuiltInTextRules()
    {
        var extra = ReplyRules.Parse([Header, "all-5.1.1-are-full\t*\t*\t5.1.1\t*\tauto\tmailbox-full\tno\tauto"], "extra rules");
        var classifier = new ReplyClassifier(extra);

        Assert.Equal(ReplyClass.InvalidRecipient, classifier.Classify(SmtpStage.Rcpt, "550 5.1.1 User unknown").Class);
        Assert.Equal(ReplyClass.MailboxFull, classifier.Classify(SmtpStage.Rcpt, "550 5.1.1 Recipient rejected").Class);
    }

    [Fact]
    public void Parse_HeaderWithFewColumns_UsesDefaults()
    {
        var rules = ReplyRules.Parse(["class\tname\tpattern", "rate-limit\tlocal-slow-down\tslow down please"], "extra rules");
        var classifier = new ReplyClassifier(rules);

        var result = classifier.Classify(SmtpStage.Rcpt, "451 slow down please");

        Assert.Equal((ReplyAction.Defer, ReplyClass.RateLimit, false, "local-slow-down"), (result.Action, result.Class, result.Throttle, result.Rule));
    }

    [Fact]
    public void Parse_SuppressNo_KeepsRecipientLevelBounceUnsuppressed()
    {
        var rules = ReplyRules.Parse([Header, "soft-unknown\trcpt\t5xx\t*\tghost\tbounce\tinvalid-recipient\tno\tno"], "extra rules");

        var result = new ReplyClassifier(rules).Classify(SmtpStage.Rcpt, "550 ghost mailbox");

        Assert.Equal((ReplyAction.Bounce, ReplyClass.InvalidRecipient, false), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public void Parse_StageCondition_MatchesOnlyThatStage()
    {
        var rules = ReplyRules.Parse([Header, "mail-only\tmail\t5xx\t*\twobble\tauto\tinvalid-sender\tno\tauto"], "extra rules");
        var classifier = new ReplyClassifier(rules);

        Assert.Equal(ReplyClass.InvalidSender, classifier.Classify(SmtpStage.Mail, "550 wobble").Class);
        Assert.Equal(ReplyClass.OtherPermanent, classifier.Classify(SmtpStage.Dot, "550 wobble").Class);
        Assert.Equal(ReplyClass.InvalidSender, classifier.Classify(SmtpStage.Any, "550 wobble").Class);
    }

    [Fact]
    public void Parse_CodePatternWithWildcardDigit_MatchesThoseCodes()
    {
        var rules = ReplyRules.Parse([Header, "fives\t*\t55x\t*\twobble\tauto\tcontent-rejected\tno\tauto"], "extra rules");
        var classifier = new ReplyClassifier(rules);

        Assert.Equal(ReplyClass.ContentRejected, classifier.Classify(SmtpStage.Dot, "554 wobble").Class);
        Assert.Equal(ReplyClass.OtherPermanent, classifier.Classify(SmtpStage.Dot, "541 wobble").Class);
    }

    [Fact]
    public void Parse_EnhancedCodeRange_MatchesInsideOnly()
    {
        var rules = ReplyRules.Parse([Header, "range\t*\t*\t5.9.100-199\t*\tauto\tpolicy-block\tno\tauto"], "extra rules");
        var classifier = new ReplyClassifier(rules);

        Assert.Equal(ReplyClass.PolicyBlock, classifier.Classify(SmtpStage.Dot, "550 5.9.150 x").Class);
        Assert.Equal(ReplyClass.OtherPermanent, classifier.Classify(SmtpStage.Dot, "550 5.9.200 x").Class);
    }

    [Theory]
    [InlineData("bad\t*\t*\t*\tx\tauto\tno-such-class\tno\tauto", "class 'no-such-class'")]
    [InlineData("bad\t*\t*\t*\tx\tauto\tok\tno\tauto", "class 'ok'")]
    [InlineData("bad\t*\t*\t*\tx\tauto\tpolicy-block\tno\tyes", "suppress 'yes'")]
    [InlineData("bad\t*\t*\t*\t(unclosed\tauto\tpolicy-block\tno\tauto", "regular expression")]
    [InlineData("bad\t*\t250\t*\tx\tauto\tpolicy-block\tno\tauto", "code '250'")]
    [InlineData("bad\t*\t*\t5.1\t*\tauto\tpolicy-block\tno\tauto", "enhanced code '5.1'")]
    [InlineData("bad\t*\t*\t3.1.1\t*\tauto\tpolicy-block\tno\tauto", "enhanced code '3.1.1'")]
    [InlineData("bad\tquit\t*\t*\tx\tauto\tpolicy-block\tno\tauto", "stage 'quit'")]
    [InlineData("bad\t*\t*\t*\tx\tdelivered\tpolicy-block\tno\tauto", "action 'delivered'")]
    [InlineData("bad\t*\t*\t*\tx\tauto\tpolicy-block\tmaybe\tauto", "throttle 'maybe'")]
    public void Parse_InvalidRule_ThrowsNamingSourceLineAndProblem(string line, string problem)
    {
        var ex = Assert.Throws<FormatException>(() => ReplyRules.Parse(["# comment", Header, line], "ops.tsv"));

        Assert.StartsWith("ops.tsv:3: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name\tpattern")]
    [InlineData("name\tclass\tcolour")]
    public void Parse_BadHeader_Throws(string header)
    {
        Assert.Throws<FormatException>(() => ReplyRules.Parse([header], "ops.tsv"));
    }

    [Fact]
    public void Parse_NoHeader_Throws()
    {
        Assert.Throws<FormatException>(() => ReplyRules.Parse(["# only a comment", ""], "ops.tsv"));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ReplyRules.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".tsv")));
    }

    [Fact]
    public void WithRulesFile_OperatorFile_AddsItsRules()
    {
        var path = Path.Combine(Path.GetTempPath(), $"reply-rules-{Guid.NewGuid():N}.tsv");
        File.WriteAllLines(path, [Header, "local-quota\t*\t4xx\t*\tstorage is tight\tdefer\tmailbox-full\tno\tauto"]);
        try
        {
            var classifier = ReplyClassifier.WithRulesFile(path);

            Assert.Equal(ReplyClass.MailboxFull, classifier.Classify(SmtpStage.Rcpt, "451 storage is tight").Class);
            Assert.Equal(ReplyRules.BuiltIn.Count + 1, classifier.Rules.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Constructor_ProgrammaticRule_Classifies()
    {
        var rule = new ReplyRule("code-rule", ReplyClass.ServerBusy, code: "432", throttle: true);

        var result = new ReplyClassifier([rule]).Classify(SmtpStage.Connect, "432 please wait");

        Assert.Equal((ReplyAction.Defer, ReplyClass.ServerBusy, true), (result.Action, result.Class, result.Throttle));
        Assert.Equal(ReplyRuleTier.BasicCode, rule.Tier);
    }
}
