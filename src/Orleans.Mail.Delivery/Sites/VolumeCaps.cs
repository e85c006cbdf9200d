namespace Orleans.Mail.Delivery.Sites;

/// <summary>
/// Caps on the messages a site may be sent per UTC minute, hour and day, counted in fixed windows (a new
/// minute, hour or day starts a fresh count). The per-second token bucket keeps the pace smooth; these
/// cap the volume, e.g. a warm-up allowance of 5,000 a day. Not thread-safe (a grain's state).
/// </summary>
public sealed class VolumeCaps
{
    private readonly (TimeSpan Length, long Count, DateTimeOffset Start)[] _windows =
    [
        (TimeSpan.FromMinutes(1), 0, DateTimeOffset.MinValue),
        (TimeSpan.FromHours(1), 0, DateTimeOffset.MinValue),
        (TimeSpan.FromDays(1), 0, DateTimeOffset.MinValue),
    ];

    /// <summary>How many more messages may be claimed now under <paramref name="perMinute"/>, <paramref name="perHour"/> and <paramref name="perDay"/> (null: no cap); int.MaxValue when uncapped.</summary>
    public int Allowance(DateTimeOffset now, int? perMinute, int? perHour, int? perDay)
    {
        int?[] caps = [perMinute, perHour, perDay];
        long allowance = int.MaxValue;
        for (var i = 0; i < _windows.Length; i++)
        {
            if (caps[i] is { } cap)
            {
                allowance = Math.Min(allowance, Math.Max(0, cap - CountIn(i, now)));
            }
        }

        return (int)allowance;
    }

    /// <summary>Counts <paramref name="messages"/> claimed at <paramref name="now"/>.</summary>
    public void Record(DateTimeOffset now, int messages)
    {
        for (var i = 0; i < _windows.Length; i++)
        {
            var count = CountIn(i, now);
            _windows[i] = (_windows[i].Length, count + messages, WindowStart(now, _windows[i].Length));
        }
    }

    /// <summary>When the earliest capped window that is full ends (UTC), or null when none is full.</summary>
    public DateTimeOffset? FullUntil(DateTimeOffset now, int? perMinute, int? perHour, int? perDay)
    {
        int?[] caps = [perMinute, perHour, perDay];
        DateTimeOffset? until = null;
        for (var i = 0; i < _windows.Length; i++)
        {
            if (caps[i] is { } cap && CountIn(i, now) >= cap)
            {
                var end = WindowStart(now, _windows[i].Length) + _windows[i].Length;
                until = until is null || end > until ? end : until;
            }
        }

        return until;
    }

    private long CountIn(int window, DateTimeOffset now) =>
        _windows[window].Start == WindowStart(now, _windows[window].Length) ? _windows[window].Count : 0;

    private static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan length) =>
        new(now.UtcTicks - (now.UtcTicks % length.Ticks), TimeSpan.Zero);
}
