using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests.SmtpCases;

/// <summary>
/// C15 — RFC 5322 format: extra headers may not duplicate a singleton field the engine writes, may not repeat a
/// once-only field, and a Message-ID must be a valid msg-id; each refusal is INVALID_ARGUMENT naming the header.
/// </summary>
public sealed class C15_Rfc5322HeaderTests
{
    private static Header H(string name, string value) => new() { Name = name, Value = value };

    private static IReadOnlyList<(string Field, string Description)> Check(params Header[] headers)
    {
        var errors = new FieldErrors();
        MailRules.Headers(errors, headers);
        return BadRequestDetails.Violations(errors);
    }

    [Theory]
    [InlineData("From", "other@example.com")]
    [InlineData("To", "victim@example.net")]
    [InlineData("Cc", "victim@example.net")]
    [InlineData("Subject", "second subject")]
    [InlineData("Date", "Mon, 2 Mar 2026 09:00:00 +0000")]
    [InlineData("MIME-Version", "1.0")]
    [InlineData("Content-Type", "text/plain")]
    [InlineData("Content-Transfer-Encoding", "8bit")]
    [InlineData("from", "other@example.com")]
    [InlineData("SUBJECT", "shouting")]
    public void C15_ExtraHeaderDuplicatingEngineField_InvalidArgumentNamingHeaderName(string name, string value)
    {
        var violations = Check(H("X-Ok", "fine"), H(name, value));

        var violation = Assert.Single(violations);
        Assert.Equal("headers[1].name", violation.Field);
        Assert.Contains($"'{name}'", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void C15_ValidMessageIdWhileEngineWritesOne_InvalidArgumentNamingHeaderName()
    {
        Assert.Equal(["headers[0].name"], Check(H("Message-ID", "<abc@example.com>")).Select(v => v.Field));
    }

    [Theory]
    [InlineData("<a:b@>")]
    [InlineData("abc@example.com")]
    [InlineData("<abc@example.com")]
    [InlineData("<abc>")]
    [InlineData("<a b@example.com>")]
    [InlineData("<abc@example.com> <def@example.com>")]
    [InlineData("")]
    public void C15_SyntacticallyBadMessageId_InvalidArgumentNamingHeaderValue(string value)
    {
        var violations = Check(H("Message-ID", value));

        Assert.Equal(["headers[0].name", "headers[0].value"], violations.Select(v => v.Field));
        Assert.Contains("msg-id", violations[1].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<abc@example.com>")]
    [InlineData("<1a2b.3c+x@mailer.example.com>")]
    [InlineData("<id@[192.0.2.10]>")]
    [InlineData(" <abc@example.com> ")]
    public void C15_WellFormedMessageId_IsMessageIdTrue(string value)
    {
        Assert.True(MailRules.IsMessageId(value));
    }

    [Theory]
    [InlineData("Reply-To", "a@example.com", "Reply-To", "b@example.com")]
    [InlineData("Sender", "a@example.com", "sender", "b@example.com")]
    [InlineData("In-Reply-To", "<a@example.com>", "In-Reply-To", "<b@example.com>")]
    [InlineData("References", "<a@example.com>", "REFERENCES", "<b@example.com>")]
    public void C15_OnceOnlyFieldTwice_InvalidArgumentNamingSecondHeader(string first, string firstValue, string second, string secondValue)
    {
        var violations = Check(H(first, firstValue), H("X-Ok", "fine"), H(second, secondValue));

        var violation = Assert.Single(violations);
        Assert.Equal("headers[2].name", violation.Field);
    }

    [Fact]
    public void C15_OnceOnlyFieldsOnceEach_Accepted()
    {
        Assert.Empty(Check(
            H("Reply-To", "support@example.com"),
            H("Sender", "bounce@mailer.example.com"),
            H("List-Unsubscribe", "<mailto:u@example.com>"),
            H("X-Campaign", "spring")));
    }

    [Fact]
    public void C15_DuplicateSingletonHeader_ThrowsInvalidArgument()
    {
        var errors = new FieldErrors();
        MailRules.Headers(errors, [H("Message-ID", "<a:b@>")]);

        var ex = Assert.Throws<RpcException>(errors.ThrowIfAny);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["headers[0].name", "headers[0].value"], BadRequestDetails.Of(ex).FieldViolations.Select(v => v.Field));
    }
}
