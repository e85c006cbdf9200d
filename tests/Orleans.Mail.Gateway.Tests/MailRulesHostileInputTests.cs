using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests;

public sealed class MailRulesHostileInputTests
{
    [Theory]
    [InlineData("\"A\u0000B\" <a@shop.example>")]
    [InlineData("\"A\u0007B\" <a@shop.example>")]
    [InlineData("A\u001bB <a@shop.example>")]
    public void MailboxProblem_ControlCharacterInDisplayName_Refused(string mailbox)
    {
        var problem = MailRules.MailboxProblem(mailbox);

        Assert.NotNull(problem);
        Assert.Contains("must not contain", problem);
    }

    [Fact]
    public void MailboxProblem_AddressOver254Octets_Refused()
    {
        var problem = MailRules.MailboxProblem($"Ana <{new string('a', 60)}@{string.Join('.', Enumerable.Repeat(new string('d', 60), 4))}.example>");

        Assert.NotNull(problem);
        Assert.Contains("254 octets", problem);
    }

    [Fact]
    public void MailboxProblem_LocalPartOver64Octets_Refused()
    {
        var problem = MailRules.MailboxProblem($"{new string('a', 3000)}@long.test");

        Assert.NotNull(problem);
        Assert.DoesNotContain(new string('a', 300), problem);
    }

    [Fact]
    public void MailboxProblem_HugeInvalidValue_EchoesAtMost200Characters()
    {
        var problem = MailRules.MailboxProblem(new string('x', 900));

        Assert.NotNull(problem);
        Assert.True(problem.Length < 300, $"problem is {problem.Length} characters");
        Assert.Contains("(900 characters)", problem);
    }

    [Fact]
    public void MailboxProblem_OverMaxMailboxChars_RefusedWithoutEcho()
    {
        var problem = MailRules.MailboxProblem(new string('x', 100_000));

        Assert.Equal("is 100000 characters, over the limit of 1000", problem);
    }

    [Fact]
    public void MailboxProblem_ValidMailboxWithDisplayName_Accepted() =>
        Assert.Null(MailRules.MailboxProblem("\"Shop, Orders\" <orders@shop.example>"));

    [Theory]
    [InlineData("short", "'short'")]
    [InlineData("", "''")]
    public void Echo_ShortValue_QuotedWhole(string value, string expected) => Assert.Equal(expected, MailRules.Echo(value));
}
