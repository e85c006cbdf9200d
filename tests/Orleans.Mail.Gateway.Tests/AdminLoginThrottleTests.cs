using Microsoft.Extensions.Time.Testing;
using Orleans.Mail.Gateway.Admin;

namespace Orleans.Mail.Gateway.Tests;

public sealed class AdminLoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private AdminLoginThrottle Throttle() => new(maxFailures: 5, TimeSpan.FromSeconds(60), _time);

    [Fact]
    public void LockedUntil_FiveFailures_LockedForTheWindowAfterTheLast()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(throttle.LockedUntil("10.0.0.9", "admin"));
            throttle.RecordFailure("10.0.0.9", "admin");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(59), throttle.LockedUntil("10.0.0.9", "admin"));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(throttle.LockedUntil("10.0.0.9", "admin"));
    }

    [Fact]
    public void LockedUntil_OtherSourceOrUser_NotLocked()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.RecordFailure("10.0.0.9", "admin");
        }

        Assert.NotNull(throttle.LockedUntil("10.0.0.9", "admin"));
        Assert.Null(throttle.LockedUntil("10.0.0.10", "admin"));
        Assert.Null(throttle.LockedUntil("10.0.0.9", "operator"));
    }

    [Fact]
    public void RecordFailure_SpacedBeyondTheWindow_CountStartsAgain()
    {
        var throttle = Throttle();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(1, throttle.RecordFailure("10.0.0.9", "admin"));
            _time.Advance(TimeSpan.FromSeconds(61));
        }

        Assert.Null(throttle.LockedUntil("10.0.0.9", "admin"));
    }

    [Fact]
    public void RecordSuccess_AfterFailures_Forgets()
    {
        var throttle = Throttle();
        for (var i = 0; i < 4; i++)
        {
            throttle.RecordFailure("10.0.0.9", "admin");
        }

        throttle.RecordSuccess("10.0.0.9", "admin");

        Assert.Equal(1, throttle.RecordFailure("10.0.0.9", "admin"));
    }

    [Fact]
    public void RecordFailure_MoreSourcesThanTracked_StaysBounded()
    {
        var throttle = Throttle();
        for (var i = 0; i < AdminLoginThrottle.MaxTrackedSources * 2; i++)
        {
            throttle.RecordFailure($"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", "admin");
        }

        Assert.InRange(throttle.Tracked, 1, AdminLoginThrottle.MaxTrackedSources);
        Assert.Equal(2, throttle.RecordFailure("10.0.78.31", "admin")); // the newest source (i = 19,999) is still tracked
    }
}
