using Orleans.Mail.Delivery;
using Orleans.Mail.Grains.Delivery.Placement;

namespace Orleans.Mail.Grains.Tests.Delivery.Placement;

public sealed class SlotSpreadPlacementDirectorTests
{
    [Theory]
    [InlineData("provider:google", 3, 10)]
    [InlineData("mx:mx1.example.net,mx2.example.net", 3, 4)]
    [InlineData("example.org", 5, 7)]
    public void SiloIndex_ConsecutiveSlotsOfOneSite_GoRoundTheSilosAsEvenlyAsCountsAllow(string site, int silos, int slots)
    {
        var perSilo = new int[silos];
        for (var slot = 0; slot < slots; slot++)
        {
            perSilo[SlotSpreadPlacementDirector.SiloIndex(DeliverySlotKey.Of(site, slot), silos)]++;
        }

        Assert.Equal(slots, perSilo.Sum());
        Assert.True(perSilo.Max() - perSilo.Min() <= 1, string.Join(",", perSilo));
        // The next slot is on the next silo.
        var first = SlotSpreadPlacementDirector.SiloIndex(DeliverySlotKey.Of(site, 0), silos);
        Assert.Equal((first + 1) % silos, SlotSpreadPlacementDirector.SiloIndex(DeliverySlotKey.Of(site, 1), silos));
    }

    [Fact]
    public void SiloIndex_ManySites_FirstSlotsStartOnEverySilo()
    {
        var starts = Enumerable.Range(0, 60).Select(i => SlotSpreadPlacementDirector.SiloIndex(DeliverySlotKey.Of($"site{i}.example", 0), 3)).ToArray();

        Assert.All(Enumerable.Range(0, 3), silo => Assert.InRange(starts.Count(s => s == silo), 10, 30));
        // Stable: the same key maps to the same silo every time (every silo computes the same answer).
        Assert.Equal(starts, Enumerable.Range(0, 60).Select(i => SlotSpreadPlacementDirector.SiloIndex(DeliverySlotKey.Of($"site{i}.example", 0), 3)));
    }

    [Fact]
    public void SiloIndex_KeyThatIsNotASlotKey_StillInRange()
    {
        Assert.InRange(SlotSpreadPlacementDirector.SiloIndex("no-slot-here", 4), 0, 3);
        Assert.Equal(0, SlotSpreadPlacementDirector.SiloIndex(DeliverySlotKey.Of("any", 5), 1));
    }
}
