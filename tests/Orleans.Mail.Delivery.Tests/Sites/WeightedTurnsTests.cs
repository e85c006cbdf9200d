using Orleans.Mail.Delivery.Sites;

namespace Orleans.Mail.Delivery.Tests.Sites;

public sealed class WeightedTurnsTests
{
    [Fact]
    public void Next_Weights3And1_ExactProportionsAndNeverMoreThanThreeInARow()
    {
        var turns = new WeightedTurns<string>();
        turns.Set([("a", 3), ("b", 1)]);

        var picks = Enumerable.Range(0, 400).Select(_ => turns.Next()).ToArray();

        Assert.Equal(300, picks.Count(p => p == "a"));
        Assert.Equal(100, picks.Count(p => p == "b"));
        Assert.DoesNotContain("aaaa", string.Concat(picks));
    }

    [Fact]
    public void Set_ContenderLeavesAndJoins_RemainingOnesKeepTurning()
    {
        var turns = new WeightedTurns<string>();
        turns.Set([("a", 1), ("b", 1), ("c", 2)]);
        _ = Enumerable.Range(0, 5).Select(_ => turns.Next()).ToArray();

        turns.Set([("a", 1), ("c", 2)]);
        var picks = Enumerable.Range(0, 30).Select(_ => turns.Next()).ToArray();

        Assert.DoesNotContain("b", picks);
        Assert.InRange(picks.Count(p => p == "c"), 19, 21);
    }

    [Fact]
    public void Next_NoContenders_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new WeightedTurns<int>().Next());
    }

    [Fact]
    public void Set_WeightBelowOne_CountsAsOne()
    {
        var turns = new WeightedTurns<string>();
        turns.Set([("a", 0), ("b", -5)]);

        var picks = Enumerable.Range(0, 10).Select(_ => turns.Next()).ToArray();

        Assert.Equal(5, picks.Count(p => p == "a"));
    }
}
