using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Tests.Routing;

public sealed class SmtpEndpointMxNameTests
{
    [Fact]
    public void Constructor_WithoutMxName_MxNameNullAndToStringUnchanged()
    {
        var endpoint = new SmtpEndpoint("relay.example", 2525);

        Assert.Null(endpoint.MxName);
        Assert.Equal("relay.example:2525", endpoint.ToString());
    }

    [Theory]
    [InlineData("127.0.0.2", 2525, "mx1.example", "mx1.example[127.0.0.2]:2525")]
    [InlineData("2001:db8::25", 25, "mx2.example", "mx2.example[2001:db8::25]:25")]
    public void ToString_WithMxName_NameThenBracketedAddressAndPort(string host, int port, string mxName, string expected)
    {
        Assert.Equal(expected, new SmtpEndpoint(host, port, mxName).ToString());
    }

    [Fact]
    public void Parse_Always_HasNoMxName()
    {
        Assert.Null(SmtpEndpoint.Parse("127.0.0.2:2525").MxName);
    }
}
