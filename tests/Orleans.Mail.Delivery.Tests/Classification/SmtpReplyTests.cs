using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

public sealed class SmtpReplyTests
{
    [Fact]
    public void Parse_SingleLineWithEnhancedCode_ReadsBasicAndEnhancedCode()
    {
        var reply = SmtpReply.Parse("550 5.1.1 <ghost@example.org>: Recipient address rejected: User unknown");

        Assert.Equal(550, reply.Code);
        Assert.Equal(new EnhancedStatusCode(5, 1, 1), reply.EnhancedCode);
        Assert.Equal("5.1.1 <ghost@example.org>: Recipient address rejected: User unknown", reply.Text);
    }

    [Fact]
    public void Parse_RelayWithoutEnhancedStatusCodes_KeepsTextAndNoEnhancedCode()
    {
        var reply = SmtpReply.Parse("250 message processed");

        Assert.Equal(250, reply.Code);
        Assert.Null(reply.EnhancedCode);
        Assert.Equal("message processed", reply.Text);
        Assert.True(reply.IsPositive);
    }

    [Fact]
    public void Parse_MultiLineReply_KeepsEveryLineWhole()
    {
        const string text = "550-5.7.1 [192.0.2.10] Our system has detected that this message is\r\n550-5.7.1 likely unsolicited mail.\r\n550 5.7.1 Please see the provider's bulk sender guidelines. - gsmtp\r\n";

        var reply = SmtpReply.Parse(text);

        Assert.Equal(550, reply.Code);
        Assert.Equal(new EnhancedStatusCode(5, 7, 1), reply.EnhancedCode);
        Assert.Equal(
            ["550-5.7.1 [192.0.2.10] Our system has detected that this message is", "550-5.7.1 likely unsolicited mail.", "550 5.7.1 Please see the provider's bulk sender guidelines. - gsmtp"],
            reply.Lines);
        Assert.Equal(3, reply.Text.Split('\n').Length);
        Assert.Contains("likely unsolicited mail.", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MultiLineReply_FlatTextDropsRepeatedPrefixes()
    {
        var reply = SmtpReply.Parse("421-4.7.0 first part of the\n421-4.7.0  sentence that spans\n421 4.7.0 three lines");

        Assert.Equal("421 4.7.0 first part of the sentence that spans three lines", reply.FlatText);
    }

    [Fact]
    public void Parse_LfAndCrLfLineEnds_GiveTheSameReply()
    {
        var lf = SmtpReply.Parse("452-4.2.2 The inbox is full.\n452 4.2.2 Try later.");
        var crlf = SmtpReply.Parse("452-4.2.2 The inbox is full.\r\n452 4.2.2 Try later.\r\n");

        Assert.Equal(lf.Lines, crlf.Lines);
        Assert.Equal(lf.FlatText, crlf.FlatText);
    }

    [Fact]
    public void Parse_MixedCodes_TakesBasicCodeFromLastLine()
    {
        var reply = SmtpReply.Parse("220-mx.example.net ESMTP\n521 5.7.1 Service unavailable; client [192.0.2.10] blocked");

        Assert.Equal(521, reply.Code);
        Assert.Equal(new EnhancedStatusCode(5, 7, 1), reply.EnhancedCode);
    }

    [Theory]
    [InlineData("451 5.7.3 STARTTLS is required to send mail")] // class 5 under a 4xx code
    [InlineData("250 5.0.0 odd but accepted")] // class 5 under a 2xx code
    [InlineData("554 30 Sorry, your message cannot be delivered (554.30)")] // not class.subject.detail
    [InlineData("550 5.1 incomplete code")]
    [InlineData("550 5.1.1000 detail over 999")]
    [InlineData("550 5.1000.1 subject over 999")]
    [InlineData("550 3.1.1 class 3 does not exist")]
    [InlineData("550 5.1.x not a number")]
    [InlineData("550 5.1.1.2 four parts")]
    [InlineData("550 5..1 empty subject")]
    public void Parse_MalformedOrMismatchedEnhancedCode_EnhancedCodeIsNull(string text)
    {
        Assert.Null(SmtpReply.Parse(text).EnhancedCode);
    }

    [Fact]
    public void Parse_MismatchedEnhancedCode_StaysInFlatText()
    {
        Assert.Equal("451 5.7.3 STARTTLS is required to send mail", SmtpReply.Parse("451 5.7.3 STARTTLS is required to send mail").FlatText);
    }

    [Fact]
    public void Parse_CiscoHashPrefix_ReadsEnhancedCode()
    {
        Assert.Equal(new EnhancedStatusCode(5, 1, 0), SmtpReply.Parse("550 #5.1.0 Address rejected.").EnhancedCode);
    }

    [Fact]
    public void Parse_QmailTrailingCode_ReadsEnhancedCode()
    {
        Assert.Equal(new EnhancedStatusCode(5, 7, 1), SmtpReply.Parse("553 sorry, that domain is not served here (#5.7.1)").EnhancedCode);
    }

    [Fact]
    public void Parse_EnhancedCodeOnFirstLineOnly_ReadsIt()
    {
        Assert.Equal(new EnhancedStatusCode(5, 7, 1), SmtpReply.Parse("554-5.7.1 Rejected by policy\n554 see our website").EnhancedCode);
    }

    [Fact]
    public void Parse_ThreeDigitSubjectAndDetail_ReadsThem()
    {
        Assert.Equal(new EnhancedStatusCode(5, 7, 515), SmtpReply.Parse("550 5.7.515 Access denied").EnhancedCode);
        Assert.Equal(new EnhancedStatusCode(5, 4, 310), SmtpReply.Parse("550 5.4.310 DNS domain does not exist").EnhancedCode);
    }

    [Fact]
    public void Parse_CodeOnly_HasEmptyText()
    {
        var reply = SmtpReply.Parse("421");

        Assert.Equal(421, reply.Code);
        Assert.Equal(string.Empty, reply.Text);
        Assert.Equal("421", reply.FlatText);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n  ")]
    [InlineData("hello there")]
    [InlineData("25 short code")]
    [InlineData("2500 four digits")]
    [InlineData("250OK glued text")]
    [InlineData("199 below 200")]
    [InlineData("600 above 599")]
    [InlineData("250 fine\nbut the last line has no code")]
    public void Parse_NotAnSmtpReply_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => SmtpReply.Parse(text));
    }

    [Fact]
    public void Create_CodeAndMailKitStyleText_RebuildsTheLines()
    {
        var reply = SmtpReply.Create(550, "5.7.1 first line\n5.7.1 second line");

        Assert.Equal(["550-5.7.1 first line", "550 5.7.1 second line"], reply.Lines);
        Assert.Equal(new EnhancedStatusCode(5, 7, 1), reply.EnhancedCode);
        Assert.Equal("550 5.7.1 first line second line", reply.FlatText);
    }

    [Fact]
    public void Create_EmptyText_GivesCodeOnly()
    {
        Assert.Equal("421", SmtpReply.Create(421, "").ToString());
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    public void Create_CodeOutOfRange_Throws(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SmtpReply.Create(code, "text"));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(SmtpReply.TryParse(null, out var reply));
        Assert.Null(reply);
    }

    [Fact]
    public void ToString_MultiLineReply_JoinsLinesWithLf()
    {
        Assert.Equal("250-first\n250 last", SmtpReply.Parse("250-first\r\n250 last\r\n").ToString());
    }
}
