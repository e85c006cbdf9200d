using System.Net;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Delivery.Tests;

public sealed class LoopbackGuardTests
{
    [Theory]
    [InlineData("127.0.0.5")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    public void Filter_LoopbackOnlyWithLoopbackAddress_AllowsIt(string address)
    {
        var ip = IPAddress.Parse(address);

        var allowed = LoopbackGuard.Filter("sink.test", [ip], loopbackOnly: true);

        Assert.Equal([ip], allowed);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("128.0.0.1")]
    [InlineData("2001:db8::1")]
    public void Filter_LoopbackOnlyWithRemoteAddress_ThrowsLoopbackOnlyException(string address)
    {
        var ex = Assert.Throws<LoopbackOnlyException>(
            () => LoopbackGuard.Filter("mx.example", [IPAddress.Parse(address)], loopbackOnly: true));

        Assert.Contains("mx.example", ex.Message);
        Assert.Contains(address, ex.Message);
    }

    [Fact]
    public void Filter_LoopbackOnlyWithMixedAddresses_KeepsOnlyLoopbackInOrder()
    {
        IPAddress[] addresses = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("::1"), IPAddress.Parse("8.8.8.8"), IPAddress.Parse("127.0.0.5")];

        var allowed = LoopbackGuard.Filter("mixed.example", addresses, loopbackOnly: true);

        Assert.Equal([IPAddress.IPv6Loopback, IPAddress.Parse("127.0.0.5")], allowed);
    }

    [Fact]
    public void Filter_LoopbackOnlyWithNoAddresses_ThrowsLoopbackOnlyException()
    {
        Assert.Throws<LoopbackOnlyException>(() => LoopbackGuard.Filter("empty.example", [], loopbackOnly: true));
    }

    [Fact]
    public void Filter_Off_AllowsEveryAddress()
    {
        IPAddress[] addresses = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("8.8.8.8"), IPAddress.Parse("127.0.0.5"), IPAddress.Parse("2001:db8::1")];

        var allowed = LoopbackGuard.Filter("mx.example", addresses, loopbackOnly: false);

        Assert.Equal(addresses, allowed);
    }
}
