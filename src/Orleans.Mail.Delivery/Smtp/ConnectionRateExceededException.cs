namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// A new connection would exceed the destination's connection attempts per minute
/// (<see cref="SessionBudget.ConnectsPerMinute"/>): nothing was tried; the messages wait for a later batch.
/// </summary>
public sealed class ConnectionRateExceededException(string budgetKey, int perMinute)
    : Exception($"{budgetKey} already had {perMinute} new connections from this silo this minute")
{
    /// <summary>The destination (site key) whose limit was reached.</summary>
    public string BudgetKey { get; } = budgetKey;
}
