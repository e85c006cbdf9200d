using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
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

    [Fact]
    public void TryAcquire_TransactionalLateNoted_CampaignsHeldToTheYieldLimitForTheYieldTimeUrgentUnaffected()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var slots = new DeliverySlots(
            Options.Create(new PacingOptions { MaxSessionsPerSilo = 16, CampaignSessionsWhileTransactional = 3, CampaignYieldMs = 1000 }), time);
        Assert.True(slots.TryAcquire());

        slots.NoteTransactionalDemand();

        Assert.Equal(3, slots.CampaignLimit);
        Assert.True(slots.TryAcquire());
        Assert.True(slots.TryAcquire());
        Assert.False(slots.TryAcquire());
        Assert.True(slots.TryAcquire(urgent: true));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(slots.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(14, slots.CampaignLimit);
        Assert.True(slots.TryAcquire());
        Assert.Equal(5, slots.InUse);
    }

    [Fact]
    public void CampaignLimit_YieldOff_NoteChangesNothing()
    {
        var slots = new DeliverySlots(Options.Create(new PacingOptions { MaxSessionsPerSilo = 16, CampaignSessionsWhileTransactional = 0 }));

        slots.NoteTransactionalDemand();

        Assert.Equal(14, slots.CampaignLimit);
    }
}
