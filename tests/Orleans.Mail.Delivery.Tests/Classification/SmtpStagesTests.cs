using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

public sealed class SmtpStagesTests
{
    [Theory]
    [InlineData("connect", SmtpStage.Connect)]
    [InlineData("greeting", SmtpStage.Connect)]
    [InlineData("ehlo", SmtpStage.Ehlo)]
    [InlineData("HELO", SmtpStage.Ehlo)]
    [InlineData("starttls", SmtpStage.StartTls)]
    [InlineData("auth", SmtpStage.Auth)]
    [InlineData("mail", SmtpStage.Mail)]
    [InlineData("rcpt", SmtpStage.Rcpt)]
    [InlineData(" Rcpt ", SmtpStage.Rcpt)]
    [InlineData("data", SmtpStage.Data)]
    [InlineData("dot", SmtpStage.Dot)]
    [InlineData("end-of-data", SmtpStage.Dot)]
    [InlineData("any", SmtpStage.Any)]
    [InlineData("", SmtpStage.Any)]
    public void Parse_KnownNameOrAlias_ReturnsStage(string text, SmtpStage expected)
    {
        Assert.Equal(expected, SmtpStages.Parse(text));
    }

    [Fact]
    public void Parse_UnknownName_ThrowsListingTheNames()
    {
        var ex = Assert.Throws<FormatException>(() => SmtpStages.Parse("quit"));

        Assert.Contains("connect", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dot", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(SmtpStages.TryParse(null, out _));
    }

    [Fact]
    public void ToName_EveryStage_ParsesBackToTheSameStage()
    {
        Assert.All(Enum.GetValues<SmtpStage>(), stage => Assert.Equal(stage, SmtpStages.Parse(stage.ToName())));
    }

    [Fact]
    public void Parse_EveryCorpusStage_IsKnown()
    {
        Assert.All(ReplyCorpus.Load(), item => Assert.True(SmtpStages.TryParse(item.Row.StageText, out _), item.Row.StageText));
    }
}
