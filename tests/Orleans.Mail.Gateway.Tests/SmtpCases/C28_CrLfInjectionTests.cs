using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests.SmtpCases;

/// <summary>C28 — CR/LF injection in addresses, display names and subjects is refused at the API, naming the field.</summary>
public sealed class C28_CrLfInjectionTests
{
    private const string QuotedLocalPartInjection = "\"x\r\nRCPT TO:<victim@example.net>\r\n\"@example.com";

    [Theory]
    [InlineData(QuotedLocalPartInjection)]
    [InlineData("\"x\nRCPT TO:<victim@example.net>\"@example.com")]
    [InlineData("\"x\rDATA\"@example.com")]
    public void C28_RecipientWithCrLfInQuotedLocalPart_InvalidArgumentNamingTheField(string recipient)
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "to[0]", recipient, required: true);

        Assert.Equal([("to[0]", "must not contain CR or LF")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void C28_CampaignRecipientWithCrLf_AddressProblem()
    {
        Assert.Equal("must not contain CR or LF", MailRules.AddressProblem(QuotedLocalPartInjection));
    }

    [Theory]
    [InlineData("Support\r\nBcc: victim@example.net <support@example.com>")]
    [InlineData("\"Support\r\nBcc: victim@example.net\" <support@example.com>")]
    [InlineData("Support\nBcc: victim@example.net <support@example.com>")]
    public void C28_FromDisplayNameWithCrLf_InvalidArgumentNamingFrom(string from)
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "from", from, required: true);

        var ex = Assert.Throws<RpcException>(errors.ThrowIfAny);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["from"], BadRequestDetails.Of(ex).FieldViolations.Select(v => v.Field));
    }

    [Theory]
    [InlineData("Hi\r\nBcc: victim@example.net")]
    [InlineData("Hi\nBcc: victim@example.net")]
    [InlineData("Hi\r")]
    public void C28_SubjectWithCrLf_InvalidArgumentNamingSubject(string subject)
    {
        var errors = new FieldErrors();

        MailRules.HeaderValue(errors, "subject", subject);

        Assert.Equal([("subject", "must not contain CR or LF")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void C28_ExtraHeaderValueWithCrLf_InvalidArgumentNamingHeaderValue()
    {
        var errors = new FieldErrors();

        MailRules.Headers(errors, [new Header { Name = "X-Tag", Value = "a\r\nBcc: victim@example.net" }]);

        Assert.Equal([("headers[0].value", "must not contain CR or LF")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void C28_QuotedLocalPartWithAt_AcceptedAsValidRfc5321()
    {
        // "info@"@example.com is valid syntax: accept it (never a transient answer).
        Assert.Null(MailRules.AddressProblem("\"info@\"@example.com"));
        Assert.Null(MailRules.MailboxProblem("\"info@\"@example.com"));
    }

    [Fact]
    public void C28_PlainValues_Accepted()
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "from", "Support <support@example.com>", required: true);
        MailRules.Mailbox(errors, "to[0]", "user@example.org", required: true);
        MailRules.HeaderValue(errors, "subject", "Hi there");

        Assert.True(errors.IsEmpty);
    }
}
