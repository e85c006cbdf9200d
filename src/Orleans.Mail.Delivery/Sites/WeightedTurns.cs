namespace Orleans.Mail.Delivery.Sites;

/// <summary>
/// Whose turn it is among weighted contenders, spread evenly (smooth weighted round-robin: each pick adds
/// every contender's weight to its credit, the one with most credit goes and pays the total). With weights
/// 3 and 1 the picks run A A B A, A A B A, …: exact proportions over every cycle, never a long run of one.
/// Not thread-safe (a grain's state).
/// </summary>
/// <typeparam name="TKey">What contends, e.g. a campaign id.</typeparam>
public sealed class WeightedTurns<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, (int Weight, long Credit)> _contenders = [];

    /// <summary>Contenders now.</summary>
    public int Count => _contenders.Count;

    /// <summary>
    /// Replaces the contenders; ones that stay keep their credit, so a refresh does not reset the rotation.
    /// Weights below 1 count as 1.
    /// </summary>
    public void Set(IEnumerable<(TKey Key, int Weight)> contenders)
    {
        var next = new Dictionary<TKey, (int Weight, long Credit)>();
        foreach (var (key, weight) in contenders)
        {
            var credit = _contenders.TryGetValue(key, out var current) ? current.Credit : 0;
            next[key] = (Math.Max(1, weight), credit);
        }

        _contenders.Clear();
        foreach (var (key, value) in next)
        {
            _contenders[key] = value;
        }
    }

    /// <summary>The next contender.</summary>
    /// <exception cref="InvalidOperationException">There are none.</exception>
    public TKey Next()
    {
        if (_contenders.Count == 0)
        {
            throw new InvalidOperationException("No contenders.");
        }

        long total = 0;
        TKey? best = default;
        long bestCredit = long.MinValue;
        foreach (var key in _contenders.Keys.ToArray())
        {
            var (weight, credit) = _contenders[key];
            credit += weight;
            _contenders[key] = (weight, credit);
            total += weight;
            if (credit > bestCredit)
            {
                (best, bestCredit) = (key, credit);
            }
        }

        var (bestWeight, _) = _contenders[best!];
        _contenders[best!] = (bestWeight, bestCredit - total);
        return best!;
    }
}
