using Orleans.Mail.Delivery;

namespace Orleans.Mail.Grains.Tests.Delivery;

public sealed class DeliverySlotKeyTests
{
    [Theory]
    [InlineData("provider:google", 0)]
    [InlineData("mx:a.example,b.example", 12)]
    [InlineData("odd#site.example", 3)]
    public void TryParse_KeyMadeByOf_GivesSiteAndSlotBack(string site, int slot)
    {
        Assert.True(DeliverySlotKey.TryParse(DeliverySlotKey.Of(site, slot), out var parsedSite, out var parsedSlot));
        Assert.Equal((site, slot), (parsedSite, parsedSlot));
    }

    [Theory]
    [InlineData("")]
    [InlineData("#3")]
    [InlineData("site.example")]
    [InlineData("site.example#")]
    [InlineData("site.example#-1")]
    [InlineData("site.example#x")]
    public void TryParse_NotASlotKey_False(string key)
    {
        Assert.False(DeliverySlotKey.TryParse(key, out _, out _));
    }
}
