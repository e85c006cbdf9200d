using System.Collections.Concurrent;

namespace Orleans.Mail.Gateway.Admin;

/// <summary>
/// Counts failed admin logins per source address and user name and locks that pair out for a while once it has
/// failed too often, so a password cannot be guessed at network speed (security review F23). The lock-out holds
/// for correct credentials too: otherwise a guesser would still learn when it hit. At most
/// <see cref="MaxTrackedSources"/> pairs are tracked; beyond that the stalest are forgotten.
/// </summary>
/// <param name="maxFailures">Failures allowed within <paramref name="window"/> before the lock-out, e.g. 5.</param>
/// <param name="window">How long a failure counts, and how long the lock-out lasts after the last one.</param>
/// <param name="time">The clock.</param>
public sealed class AdminLoginThrottle(int maxFailures, TimeSpan window, TimeProvider time)
{
    /// <summary>Most (source, user) pairs remembered at once.</summary>
    public const int MaxTrackedSources = 10_000;

    private readonly ConcurrentDictionary<(string Source, string User), Failures> _failures = new();
    private long _touches;

    /// <summary>How many (source, user) pairs are remembered now.</summary>
    public int Tracked => _failures.Count;

    /// <summary>When the pair may try again, or null when it may try now.</summary>
    public DateTimeOffset? LockedUntil(string source, string user)
    {
        if (!_failures.TryGetValue((source, user), out var failures))
        {
            return null;
        }

        lock (failures)
        {
            var now = time.GetUtcNow();
            var until = failures.Last + window;
            return failures.Count >= maxFailures && now < until ? until : null;
        }
    }

    /// <summary>Records a failed login of <paramref name="user"/> from <paramref name="source"/>; answers the failures counted so far.</summary>
    public int RecordFailure(string source, string user)
    {
        if (_failures.Count >= MaxTrackedSources)
        {
            Prune();
        }

        var now = time.GetUtcNow();
        var failures = _failures.GetOrAdd((source, user), _ => new Failures { First = now, Last = now });
        lock (failures)
        {
            if (now - failures.Last > window)
            {
                failures.Count = 0;
                failures.First = now;
            }

            failures.Count++;
            failures.Last = now;
            failures.Touched = Interlocked.Increment(ref _touches);
            return failures.Count;
        }
    }

    /// <summary>Forgets the failures of a pair that logged in.</summary>
    public void RecordSuccess(string source, string user) => _failures.TryRemove((source, user), out _);

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, failures) in _failures)
        {
            if (now - failures.Last > window)
            {
                _failures.TryRemove(key, out _);
            }
        }

        // Still full: forget the least recently failed half rather than grow without bound.
        if (_failures.Count >= MaxTrackedSources)
        {
            foreach (var key in _failures.OrderBy(p => p.Value.Touched).Take(_failures.Count / 2).Select(p => p.Key).ToList())
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private sealed class Failures
    {
        public int Count;
        public DateTimeOffset First;
        public DateTimeOffset Last;
        public long Touched;
    }
}
