namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// Tests that measure pace, shares or spread over time from a receiver's timestamps: they run with no other
/// test beside them, so that two CPU cores shared with another cluster do not skew what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    /// <summary>The collection's name, for <c>[Collection(TimingCollection.Name)]</c>.</summary>
    public const string Name = "timing";
}
