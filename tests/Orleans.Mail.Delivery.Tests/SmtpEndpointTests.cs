using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Tests;

public sealed class SmtpEndpointTests
{
    [Fact]
    public void Parse_HostOnly_UsesDefaultPort25()
    {
        Assert.Equal(new SmtpEndpoint("mx.example.com", 25), SmtpEndpoint.Parse("mx.example.com"));
    }

    [Fact]
    public void Parse_HostOnlyWithDefaultPort_UsesGivenDefault()
    {
        Assert.Equal(new SmtpEndpoint("relay.example", 2525), SmtpEndpoint.Parse("relay.example", defaultPort: 2525));
    }

    [Theory]
    [InlineData("relay.example:587", "relay.example", 587)]
    [InlineData("127.0.0.1:2525", "127.0.0.1", 2525)]
    [InlineData("  relay.example:1  ", "relay.example", 1)]
    [InlineData("relay.example:65535", "relay.example", 65535)]
    public void Parse_HostAndPort_ReturnsBoth(string text, string host, int port)
    {
        Assert.Equal(new SmtpEndpoint(host, port), SmtpEndpoint.Parse(text));
    }

    [Fact]
    public void Parse_BracketedIpv6WithPort_ReturnsAddressWithoutBrackets()
    {
        Assert.Equal(new SmtpEndpoint("::1", 2525), SmtpEndpoint.Parse("[::1]:2525"));
    }

    [Fact]
    public void Parse_BracketedIpv6WithoutPort_UsesDefaultPort()
    {
        Assert.Equal(new SmtpEndpoint("2001:db8::5", 25), SmtpEndpoint.Parse("[2001:db8::5]"));
    }

    [Fact]
    public void Parse_BareIpv6_IsHostWithDefaultPort()
    {
        Assert.Equal(new SmtpEndpoint("::1", 26), SmtpEndpoint.Parse("::1", defaultPort: 26));
    }

    [Theory]
    [InlineData("relay.example:0")]
    [InlineData("relay.example:65536")]
    [InlineData("relay.example:-25")]
    [InlineData("relay.example:smtp")]
    [InlineData("relay.example:")]
    [InlineData("[::1]:")]
    [InlineData("[::1]:0")]
    [InlineData("[::1]:70000")]
    public void Parse_BadPort_ThrowsFormatException(string text)
    {
        var ex = Assert.Throws<FormatException>(() => SmtpEndpoint.Parse(text));
        Assert.Contains("valid port", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[]:25")]
    public void Parse_NoHost_ThrowsFormatException(string text)
    {
        var ex = Assert.Throws<FormatException>(() => SmtpEndpoint.Parse(text));
        Assert.Contains("no host", ex.Message);
    }

    [Fact]
    public void Parse_PortWithoutHost_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => SmtpEndpoint.Parse(":2525"));
    }

    [Fact]
    public void Parse_BracketedIpv6WithoutColonBeforePort_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => SmtpEndpoint.Parse("[::1]2525"));
    }

    [Theory]
    [InlineData("relay.example", 2525, "relay.example:2525")]
    [InlineData("::1", 2525, "[::1]:2525")]
    public void ToString_Endpoint_FormatsParseableText(string host, int port, string expected)
    {
        var endpoint = new SmtpEndpoint(host, port);

        Assert.Equal(expected, endpoint.ToString());
        Assert.Equal(endpoint, SmtpEndpoint.Parse(endpoint.ToString()));
    }
}
