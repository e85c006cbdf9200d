using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

public sealed class EnhancedStatusCodeTests
{
    [Theory]
    [InlineData("2.0.0", 2, 0, 0)]
    [InlineData("4.7.28", 4, 7, 28)]
    [InlineData("5.7.515", 5, 7, 515)]
    [InlineData("5.999.999", 5, 999, 999)]
    [InlineData("5.01.001", 5, 1, 1)]
    public void TryParse_WellFormed_ReturnsParts(string text, int @class, int subject, int detail)
    {
        Assert.True(EnhancedStatusCode.TryParse(text, out var code));
        Assert.Equal(new EnhancedStatusCode(@class, subject, detail), code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5.1")]
    [InlineData("1.1.1")]
    [InlineData("3.0.0")]
    [InlineData("55.1.1")]
    [InlineData("5.1.1000")]
    [InlineData("5.-1.1")]
    [InlineData("5.1.1 ")]
    [InlineData("5. 1.1")]
    [InlineData("554.30")]
    public void TryParse_Malformed_ReturnsFalse(string text)
    {
        Assert.False(EnhancedStatusCode.TryParse(text, out _));
    }

    [Fact]
    public void Parse_Malformed_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => EnhancedStatusCode.Parse("5.7"));
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(5, 1000, 1)]
    [InlineData(5, 1, -1)]
    public void Constructor_PartOutOfRange_Throws(int @class, int subject, int detail)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnhancedStatusCode(@class, subject, detail));
    }

    [Fact]
    public void ToString_Code_WritesDottedForm()
    {
        Assert.Equal("5.7.26", new EnhancedStatusCode(5, 7, 26).ToString());
    }
}
