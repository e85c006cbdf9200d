using Microsoft.Extensions.Options;
using Orleans.Mail.Grains.Delivery;

namespace Orleans.Mail.Grains.Tests.Delivery;

public sealed class DeliverySlotsTests
{
    [Fact]
    public void TryAcquire_CampaignWorkFillsTheSilo_ReserveLeftForUrgentClaimsOnly()
    {
        var slots = new DeliverySlots(Options.Create(new PacingOptions { MaxSessionsPerSilo = 16 }));

        var ordinary = 0;
        while (slots.TryAcquire())
        {
            ordinary++;
        }

        Assert.Equal((14, 2), (ordinary, slots.Reserved));
        Assert.True(slots.TryAcquire(urgent: true));
        Assert.True(slots.TryAcquire(urgent: true));
        Assert.False(slots.TryAcquire(urgent: true));
        slots.Release();
        Assert.False(slots.TryAcquire());
        Assert.True(slots.TryAcquire(urgent: true));
        Assert.Equal(16, slots.InUse);
    }

    [Fact]
    public void Reserved_SmallSilo_AtLeastOne()
    {
        var slots = new DeliverySlots(Options.Create(new PacingOptions { MaxSessionsPerSilo = 3 }));

        Assert.Equal(1, slots.Reserved);
        Assert.True(slots.TryAcquire());
        Assert.True(slots.TryAcquire());
        Assert.False(slots.TryAcquire());
        Assert.True(slots.TryAcquire(urgent: true));
    }
}
