using Orleans.Mail.Delivery.Sites;

namespace Orleans.Mail.Delivery.Tests.Sites;

public sealed class VolumeCapsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 29, 12, 0, 10, TimeSpan.Zero);

    [Fact]
    public void Allowance_NoCaps_Unlimited()
    {
        Assert.Equal(int.MaxValue, new VolumeCaps().Allowance(Noon, null, null, null));
    }

    [Fact]
    public void Allowance_MinuteCap_CountsDownAndRefillsNextMinute()
    {
        var caps = new VolumeCaps();
        caps.Record(Noon, 70);

        Assert.Equal(30, caps.Allowance(Noon.AddSeconds(20), 100, null, null));
        caps.Record(Noon.AddSeconds(30), 30);
        Assert.Equal(0, caps.Allowance(Noon.AddSeconds(40), 100, null, null));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 1, 0, TimeSpan.Zero), caps.FullUntil(Noon.AddSeconds(40), 100, null, null));
        Assert.Equal(100, caps.Allowance(Noon.AddSeconds(50), 100, null, null));
    }

    [Fact]
    public void Allowance_DayCap_SpansMinutesAndHoursUntilMidnight()
    {
        var caps = new VolumeCaps();
        caps.Record(Noon, 400);
        caps.Record(Noon.AddHours(3), 600);

        Assert.Equal(0, caps.Allowance(Noon.AddHours(5), 1000, 1000, 1000));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), caps.FullUntil(Noon.AddHours(5), 1000, 1000, 1000));
        Assert.Equal(1000, caps.Allowance(Noon.AddHours(12), 1000, 1000, 1000));
    }

    [Fact]
    public void Allowance_SmallestRemainingCapWins()
    {
        var caps = new VolumeCaps();
        caps.Record(Noon, 50);

        Assert.Equal(10, caps.Allowance(Noon, 1000, 60, 5000));
    }
}
