using System.Net;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Delivery.Tests.Smtp;

public sealed class DestinationAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::25")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("2001:db8::1")]
    public void IsPublic_NonPublicAddress_False(string address) =>
        Assert.False(DestinationAddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("142.250.27.26")]
    [InlineData("2a00:1450:400c:c0b::1a")]
    [InlineData("::ffff:8.8.4.4")]
    public void IsPublic_PublicAddress_True(string address) =>
        Assert.True(DestinationAddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void Filter_ProductionDnsAnswerAtMetadataService_ThrowsUnsafeDestination()
    {
        var ex = Assert.Throws<UnsafeDestinationException>(() =>
            LoopbackGuard.Filter("mx.intranet.test", [IPAddress.Parse("169.254.169.254")], loopbackOnly: false, publicOnly: true));

        Assert.Contains("169.254.169.254", ex.Message);
    }

    [Fact]
    public void Filter_ProductionMixedAnswer_KeepsOnlyPublicInOrder()
    {
        IPAddress[] addresses = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("8.8.8.8"), IPAddress.Parse("::1"), IPAddress.Parse("1.1.1.1")];

        Assert.Equal([addresses[1], addresses[3]], LoopbackGuard.Filter("mx.example", addresses, loopbackOnly: false, publicOnly: true));
    }

    [Fact]
    public void Filter_ConfiguredRouteToPrivateRelay_Allowed()
    {
        var relay = IPAddress.Parse("10.0.0.25");

        Assert.Equal([relay], LoopbackGuard.Filter("relay.internal", [relay], loopbackOnly: false, publicOnly: false));
    }
}
