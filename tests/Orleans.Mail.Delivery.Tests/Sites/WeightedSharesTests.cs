using Orleans.Mail.Delivery.Sites;

namespace Orleans.Mail.Delivery.Tests.Sites;

public sealed class WeightedSharesTests
{
    [Fact]
    public void TryNext_Weights3And1_EqualTakes_ExactProportionsAndNoLongRuns()
    {
        var shares = new WeightedShares<string>();
        shares.Set([("a", 3), ("b", 1)]);

        var picks = Take(shares, 400, _ => 4);

        Assert.Equal(300, picks.Count(p => p == "a"));
        Assert.Equal(100, picks.Count(p => p == "b"));
        Assert.DoesNotContain("aaaa", string.Concat(picks));
    }

    [Fact]
    public void Charge_TakesOfDifferentSizes_MessagesNotTurnsAreInProportion()
    {
        var shares = new WeightedShares<string>();
        shares.Set([("heavy", 3), ("light", 1)]);
        var taken = new Dictionary<string, double> { ["heavy"] = 0, ["light"] = 0 };

        // The heavy contender's takes are small (1 message), the light one's big (10): turn counting would
        // give the light one 10 of every 13 messages.
        for (var i = 0; i < 2_000; i++)
        {
            Assert.True(shares.TryNext(null, out var key));
            var units = key == "heavy" ? 1 : 10;
            shares.Charge(key, units);
            taken[key] += units;
        }

        Assert.InRange(taken["heavy"] / (taken["heavy"] + taken["light"]), 0.74, 0.76);
    }

    [Fact]
    public void Set_ContenderLeavesAndJoins_RemainingOnesKeepTheirShareAndNewcomerGetsNoBacklog()
    {
        var shares = new WeightedShares<string>();
        shares.Set([("a", 1), ("c", 2)]);
        _ = Take(shares, 30, _ => 1);

        shares.Set([("a", 1), ("c", 2), ("late", 1)]);
        var picks = Take(shares, 40, _ => 1);

        Assert.Equal(10, picks.Count(p => p == "late"));
        Assert.Equal(20, picks.Count(p => p == "c"));
    }

    [Fact]
    public void TryNext_SkippedContender_ComesBackWithoutCatchingUp()
    {
        var shares = new WeightedShares<string>();
        shares.Set([("a", 1), ("b", 1)]);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(shares.TryNext(k => k != "b", out var key));
            shares.Charge(key, 1);
        }

        var picks = Take(shares, 10, _ => 1);

        Assert.Equal(5, picks.Count(p => p == "b"));
    }

    [Fact]
    public void TryNext_NoneEligibleOrEmpty_False()
    {
        var shares = new WeightedShares<int>();
        Assert.False(shares.TryNext(null, out _));
        shares.Add(1, 1);
        Assert.False(shares.TryNext(_ => false, out _));
        Assert.True(shares.TryNext(null, out var only));
        Assert.Equal(1, only);
    }

    [Fact]
    public void Set_WeightNotPositiveOrNotFinite_CountsAsOne()
    {
        var shares = new WeightedShares<string>();
        shares.Set([("a", 0), ("b", -5), ("c", double.NaN)]);

        var picks = Take(shares, 30, _ => 1);

        Assert.Equal(10, picks.Count(p => p == "a"));
        Assert.Equal(10, picks.Count(p => p == "c"));
    }

    [Fact]
    public void Remove_Contender_NeverPickedAgain()
    {
        var shares = new WeightedShares<string>();
        shares.Set([("a", 1), ("b", 1)]);
        shares.Remove("a");

        Assert.All(Take(shares, 5, _ => 1), p => Assert.Equal("b", p));
        Assert.Equal(["b"], shares.Keys);
    }

    private static string[] Take(WeightedShares<string> shares, int count, Func<string, double> units) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            Assert.True(shares.TryNext(null, out var key));
            shares.Charge(key, units(key));
            return key;
        }).ToArray();
}
