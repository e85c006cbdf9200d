namespace Orleans.Mail.Delivery.Sites;

/// <summary>
/// Shares a budget among weighted contenders by what each actually took (stride scheduling): every
/// contender has a pass; the eligible one with the lowest pass goes next and, once it has taken n units
/// (messages), its pass grows by n ÷ weight. Over any stretch where contenders stay busy, the units they
/// take are in proportion to their weights, whatever the size of each take — weights 3 and 1 give 75% and
/// 25% of the messages even when batches differ in size. A contender that joins, or comes back after being
/// skipped, starts at the current pass, so it cannot claim a backlog of turns it never used.
/// Not thread-safe (a grain's state).
/// </summary>
/// <typeparam name="TKey">What contends, e.g. a (domain, campaign) lane.</typeparam>
public sealed class WeightedShares<TKey> where TKey : notnull
{
    private const double Tie = 1e-9;
    private readonly Dictionary<TKey, Share> _shares = [];

    // The pass of the latest pick: where joining and returning contenders start.
    private double _now;

    /// <summary>Contenders now.</summary>
    public int Count => _shares.Count;

    /// <summary>The contenders, in the order they joined.</summary>
    public IEnumerable<TKey> Keys => _shares.Keys;

    /// <summary>
    /// Replaces the contenders; ones that stay keep their pass (a refresh does not reset the rotation), new
    /// ones start at the current pass. Weights that are not positive finite numbers count as 1.
    /// </summary>
    public void Set(IEnumerable<(TKey Key, double Weight)> contenders)
    {
        var next = new Dictionary<TKey, Share>();
        foreach (var (key, weight) in contenders)
        {
            var pass = _shares.TryGetValue(key, out var current) ? current.Pass : _now;
            next[key] = new Share(Sane(weight), pass);
        }

        _shares.Clear();
        foreach (var (key, share) in next)
        {
            _shares[key] = share;
        }
    }

    /// <summary>Adds a contender at the current pass, or changes the weight of one already there.</summary>
    public void Add(TKey key, double weight)
    {
        var pass = _shares.TryGetValue(key, out var current) ? current.Pass : _now;
        _shares[key] = new Share(Sane(weight), pass);
    }

    /// <summary>Removes a contender; no effect when absent.</summary>
    public void Remove(TKey key) => _shares.Remove(key);

    /// <summary>
    /// The eligible contender whose turn it is (lowest pass; among equals, the one that joined first), or
    /// false when none is eligible.
    /// </summary>
    /// <param name="eligible">Which contenders may go now (for example: not found empty this round); null: all.</param>
    /// <param name="key">The contender to serve; charge it with <see cref="Charge"/> for what it took.</param>
    public bool TryNext(Func<TKey, bool>? eligible, out TKey key)
    {
        key = default!;
        var found = false;
        var best = double.MaxValue;
        foreach (var (candidate, share) in _shares)
        {
            // A contender that sat out starts from now, not from where it stopped.
            var pass = Math.Max(share.Pass, _now);
            // Passes within rounding of each other are a tie: the one that joined first goes.
            if (pass < best - Tie && (eligible is null || eligible(candidate)))
            {
                (key, best, found) = (candidate, pass, true);
            }
        }

        if (found)
        {
            _now = best;
            _shares[key] = _shares[key] with { Pass = best };
        }

        return found;
    }

    /// <summary>Records that <paramref name="key"/> took <paramref name="units"/> (messages); 0 or less, or an absent key, changes nothing.</summary>
    public void Charge(TKey key, double units)
    {
        if (units > 0 && _shares.TryGetValue(key, out var share))
        {
            _shares[key] = share with { Pass = share.Pass + units / share.Weight };
        }
    }

    private static double Sane(double weight) => double.IsFinite(weight) && weight > 0 ? weight : 1;

    private readonly record struct Share(double Weight, double Pass);
}
