using Orleans.Mail.Api.V1;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests;

public sealed class MailRulesTests
{
    [Theory]
    [InlineData("a@b.com")]
    [InlineData("first.last+tag@sub.example.org")]
    [InlineData("UPPER@Example.COM")]
    [InlineData("leser@bücher.example")]
    [InlineData("  padded@example.com  ")]
    public void AddressProblem_ValidAddress_ReturnsNull(string address)
    {
        Assert.Null(MailRules.AddressProblem(address));
    }

    [Fact]
    public void AddressProblem_IdnALabelAddress_ReturnsNull()
    {
        Assert.Null(MailRules.AddressProblem("leser@xn--bcher-kva.example"));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@@b.com")]
    [InlineData("x@")]
    [InlineData("@x.com")]
    [InlineData("a b@c.com")]
    [InlineData("name <a@b.com>")]
    [InlineData("<a@b.com>")]
    [InlineData("a@b.com (comment)")]
    [InlineData("a@b.com, c@d.com")]
    [InlineData("")]
    [InlineData("   ")]
    public void AddressProblem_InvalidAddress_NamesValue(string address)
    {
        var problem = MailRules.AddressProblem(address);

        Assert.Equal($"'{address}' is not a valid address (addr-spec)", problem);
    }

    [Theory]
    [InlineData("a@b.com\r\nBcc: victim@example.com")]
    [InlineData("a@b.com\n")]
    [InlineData("a@b\r.com")]
    public void AddressProblem_LineBreak_ReturnsCrLfProblem(string address)
    {
        Assert.Equal("must not contain CR or LF", MailRules.AddressProblem(address));
    }

    [Fact]
    public void AddressProblem_DomainWithoutDot_ReturnsNotFullyQualified()
    {
        Assert.Equal("'root@localhost' has no fully qualified domain", MailRules.AddressProblem("root@localhost"));
    }

    [Fact]
    public void AddressProblem_Over254Characters_ReturnsProblem()
    {
        var address = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".com";
        Assert.True(address.Length > 254);

        Assert.NotNull(MailRules.AddressProblem(address));
    }

    [Theory]
    [InlineData("Shop <a@shop.example>")]
    [InlineData("\"Shop, Inc.\" <a@shop.example>")]
    [InlineData("a@shop.example")]
    [InlineData("Bücher <leser@bücher.example>")]
    public void MailboxProblem_ValidMailbox_ReturnsNull(string mailbox)
    {
        Assert.Null(MailRules.MailboxProblem(mailbox));
    }

    [Theory]
    [InlineData("Shop")]
    [InlineData("Shop <>")]
    [InlineData("Shop <a@@shop.example>")]
    [InlineData("not-an-email")]
    public void MailboxProblem_InvalidMailbox_NamesValue(string mailbox)
    {
        Assert.Equal($"'{mailbox}' is not a valid RFC 5322 mailbox", MailRules.MailboxProblem(mailbox));
    }

    [Fact]
    public void MailboxProblem_LineBreak_ReturnsCrLfProblem()
    {
        Assert.Equal("must not contain CR or LF", MailRules.MailboxProblem("Shop <a@shop.example>\r\nBcc: x@y.example"));
    }

    [Fact]
    public void MailboxProblem_DomainWithoutDot_ReturnsNotFullyQualified()
    {
        Assert.Equal("'a@shop' has no fully qualified domain", MailRules.MailboxProblem("Shop <a@shop>"));
    }

    [Fact]
    public void Mailbox_EmptyAndRequired_RecordsIsRequired()
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "from", "  ", required: true);

        Assert.Equal([("from", "is required")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void Mailbox_EmptyAndOptional_RecordsNothing()
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "reply_to", "", required: false);

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Mailbox_Invalid_RecordsProblemUnderField()
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "from", "Shop <nope>", required: true);

        Assert.Equal([("from", "'Shop <nope>' is not a valid RFC 5322 mailbox")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void Mailbox_Valid_RecordsNothing()
    {
        var errors = new FieldErrors();

        MailRules.Mailbox(errors, "from", "Shop <a@shop.example>", required: true);

        Assert.True(errors.IsEmpty);
    }

    private static Header H(string name, string value) => new() { Name = name, Value = value };

    [Fact]
    public void Headers_ValidFields_RecordsNothing()
    {
        var errors = new FieldErrors();

        MailRules.Headers(errors, [H("List-Unsubscribe", "<mailto:u@shop.example>"), H("X-Tag", "a b: c")]);

        Assert.True(errors.IsEmpty);
    }

    [Theory]
    [InlineData("")]
    [InlineData("X Tag")]
    [InlineData("X:Tag")]
    [InlineData("X-Tägg")]
    [InlineData("X-Tag\t")]
    [InlineData("X-Tag\u007f")]
    public void Headers_BadName_RecordsNameField(string name)
    {
        var errors = new FieldErrors();

        MailRules.Headers(errors, [H("X-Ok", "fine"), H(name, "value")]);

        Assert.Equal([("headers[1].name", "must be printable ASCII without spaces or ':'")], BadRequestDetails.Violations(errors));
    }

    [Theory]
    [InlineData("a\r\nBcc: victim@example.com")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    public void Headers_LineBreakInValue_RecordsValueField(string value)
    {
        var errors = new FieldErrors();

        MailRules.Headers(errors, [H("X-Bad", value)]);

        Assert.Equal([("headers[0].value", "must not contain CR or LF")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void Headers_SeveralBadFields_RecordsEachWithItsIndex()
    {
        var errors = new FieldErrors();

        MailRules.Headers(errors, [H("X-Ok", "ok"), H("Bad Name", "ok"), H("X-Ok2", "x\ny"), H("Two:Bad", "\r")]);

        Assert.Equal(["headers[1].name", "headers[2].value", "headers[3].name", "headers[3].value"], BadRequestDetails.Fields(errors));
    }

    [Fact]
    public void HeaderValue_LineBreak_RecordsField()
    {
        var errors = new FieldErrors();

        MailRules.HeaderValue(errors, "subject", "Hello\r\nBcc: x@y.example");

        Assert.Equal([("subject", "must not contain CR or LF")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void HeaderValue_PlainText_RecordsNothing()
    {
        var errors = new FieldErrors();

        MailRules.HeaderValue(errors, "subject", "Hello: world «ü»");

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Size_OverLimit_NamesLargestFieldWithTotal()
    {
        var errors = new FieldErrors();

        MailRules.Size(errors, 500, ("subject", "hi"), ("text_body", new string('t', 400)), ("html_body", new string('h', 200)));

        Assert.Equal([("text_body", "the message is 602 bytes, over the limit of 500 bytes")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void Size_ExactlyAtLimit_RecordsNothing()
    {
        var errors = new FieldErrors();

        MailRules.Size(errors, 10, ("subject", "12345"), ("text_body", "67890"));

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Size_MultiByteCharacters_CountsUtf8Bytes()
    {
        var errors = new FieldErrors();

        // 6 characters, 12 bytes in UTF-8.
        MailRules.Size(errors, 10, ("subject", "éééééé"));

        Assert.Equal([("subject", "the message is 12 bytes, over the limit of 10 bytes")], BadRequestDetails.Violations(errors));
    }

    [Fact]
    public void Size_LargestInBytesHasFewerCharacters_NamesLargestInBytes()
    {
        var errors = new FieldErrors();

        // html_body: 150 characters, 150 bytes; text_body: 100 characters, 300 bytes.
        MailRules.Size(errors, 400, ("html_body", new string('h', 150)), ("text_body", new string('€', 100)));

        Assert.Equal(["text_body"], BadRequestDetails.Fields(errors));
    }

    [Theory]
    [InlineData("a\rb", true)]
    [InlineData("a\nb", true)]
    [InlineData("a b\t", false)]
    [InlineData("", false)]
    public void HasLineBreak_Text_DetectsCrOrLf(string value, bool expected)
    {
        Assert.Equal(expected, MailRules.HasLineBreak(value));
    }
}
