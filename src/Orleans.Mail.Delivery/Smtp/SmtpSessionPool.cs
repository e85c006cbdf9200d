using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>An open SMTP session and how much it has carried.</summary>
public sealed class SmtpSession(SmtpClient client, SmtpEndpoint endpoint, FinalDotTracker tracker, string? remoteIp)
{
    /// <summary>The connected client.</summary>
    public SmtpClient Client { get; } = client;

    /// <summary>Where it is connected.</summary>
    public SmtpEndpoint Endpoint { get; } = endpoint;

    /// <summary>Knows whether a final dot is waiting for its reply.</summary>
    public FinalDotTracker Tracker { get; } = tracker;

    /// <summary>The IP address connected to.</summary>
    public string? RemoteIp { get; } = remoteIp;

    /// <summary>Transactions sent over it so far (a grouped transaction with many recipients counts once).</summary>
    public int MessagesSent { get; set; }

    /// <summary>When it was last returned to the pool.</summary>
    public DateTimeOffset IdleSince { get; set; }

    /// <summary>
    /// Why STARTTLS failed on a first connection before this cleartext session was opened instead
    /// (opportunistic TLS, RFC 7435); null when no TLS failure preceded it.
    /// </summary>
    public string? TlsFailure { get; set; }

    /// <summary>
    /// Why the server's TLS certificate did not validate (e.g. <c>RemoteCertificateChainErrors</c>) on an opportunistic
    /// TLS session, which is then encrypted but unauthenticated; null for cleartext or a certificate that validated.
    /// </summary>
    public string? CertificateProblem { get; init; }

    /// <summary>How long it may sit idle in the pool; null: <see cref="SmtpOptions.IdleConnectionMs"/>.</summary>
    public TimeSpan? IdleLimit { get; set; }

    /// <summary>When it was opened (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for the session-time metric.</summary>
    public long OpenedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>The <see cref="SessionBudget.Key"/> this session is counted under.</summary>
    public string BudgetKey { get; set; } = string.Empty;

    /// <summary>The <see cref="SessionBudget.GroupKey"/> this session is counted under.</summary>
    public string BudgetGroup { get; set; } = string.Empty;
}

/// <summary>
/// The sessions one destination accepts from us at once, counted over all its hosts, idle pooled sessions
/// included (a receiver counts those too, smtp-cases C12).
/// </summary>
/// <param name="Key">What the sessions are counted under: the destination site (e.g. <c>provider:google</c>), or one
/// connection slot of it (<c>provider:google#3</c>) with the site as <paramref name="Group"/>.</param>
/// <param name="MaxOpen">The most sessions open at once under <paramref name="Key"/>; int.MaxValue for no limit.</param>
/// <param name="IdleMs">How long its idle sessions are kept, in ms; 0: <see cref="SmtpOptions.IdleConnectionMs"/>.</param>
/// <param name="ConnectsPerMinute">New connections per UTC minute from this process under <see cref="GroupKey"/>; 0: no limit.
/// Beyond it <see cref="SmtpSessionPool.RentAsync(SmtpEndpoint, bool, SessionBudget, CancellationToken)"/> raises
/// <see cref="ConnectionRateExceededException"/> instead of connecting (idle sessions are still reused).</param>
/// <param name="Group">The destination the key belongs to, when the key is one of its slots; null: the key itself.</param>
/// <param name="GroupMaxOpen">The most sessions open at once in this process under <see cref="GroupKey"/>; int.MaxValue for no limit.</param>
public readonly record struct SessionBudget(
    string Key, int MaxOpen, int IdleMs = 0, int ConnectsPerMinute = 0, string? Group = null, int GroupMaxOpen = int.MaxValue)
{
    /// <summary>The destination the sessions count towards: <see cref="Group"/>, else <see cref="Key"/>.</summary>
    public string GroupKey => Group ?? Key;

    /// <summary>No limit, counted per endpoint.</summary>
    public static SessionBudget Unlimited(SmtpEndpoint endpoint) => new(endpoint.ToString(), int.MaxValue);
}

/// <summary>
/// Keeps SMTP sessions open between batches so that many messages share one connection (no new TCP and
/// EHLO per batch). A session is closed with QUIT once it reached its message limit, went bad, or sat idle
/// longer than <see cref="SmtpOptions.IdleConnectionMs"/>. Sessions are counted per
/// <see cref="SessionBudget"/>, idle ones included: before a new connection is opened beyond the budget,
/// idle sessions of the same budget (to any of its hosts) are closed, and the connection waits for closes of
/// its group already under way (at most 6 s); a session returned beyond it is closed rather than kept.
/// </summary>
public sealed class SmtpSessionPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SmtpEndpoint, ConcurrentStack<SmtpSession>> _idle = new();
    private readonly ConcurrentDictionary<string, StrongBox<int>> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _openInGroup = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _closingInGroup = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Minute, int Count)> _connects = new(StringComparer.Ordinal);
    private readonly SmtpConnector _connector;
    private readonly HostCircuitBreakers? _breakers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleLimit;
    private readonly ITimer _sweeper;
    private readonly SmtpOptions _options;

    /// <summary>Creates the pool; a timer closes idle sessions every second.</summary>
    /// <param name="connector">Opens new sessions.</param>
    /// <param name="options">Idle limit and TLS requirements.</param>
    /// <param name="time">The clock.</param>
    /// <param name="breakers">Per-host circuit breakers for new connections; null: none.</param>
    public SmtpSessionPool(SmtpConnector connector, IOptions<SmtpOptions> options, TimeProvider time, HostCircuitBreakers? breakers = null)
    {
        _connector = connector;
        _breakers = breakers;
        _options = options.Value;
        _time = time;
        _idleLimit = TimeSpan.FromMilliseconds(options.Value.IdleConnectionMs);
        _sweeper = time.CreateTimer(_ => CloseIdle(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Sessions open now under <paramref name="budgetKey"/> from this process, idle pooled ones included.</summary>
    public int OpenSessions(string budgetKey) => _open.TryGetValue(budgetKey, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>Sessions open now under <paramref name="group"/> (<see cref="SessionBudget.GroupKey"/>) from this process, idle pooled ones included.</summary>
    public int OpenSessionsInGroup(string group) => _openInGroup.TryGetValue(group, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>An idle connected session to <paramref name="endpoint"/>, or a new one (opportunistic TLS, no budget).</summary>
    /// <exception cref="Exception">Whatever <see cref="SmtpConnector.ConnectAsync(SmtpEndpoint, bool, CancellationToken)"/> raises.</exception>
    public Task<SmtpSession> RentAsync(SmtpEndpoint endpoint, CancellationToken cancellationToken) =>
        RentAsync(endpoint, requireTls: false, SessionBudget.Unlimited(endpoint), cancellationToken);

    /// <summary>
    /// An idle connected session to <paramref name="endpoint"/>, or a new one. With <paramref name="requireTls"/>
    /// only a session that completed STARTTLS is reused (cleartext ones stay in the pool for other domains),
    /// and a new one must complete STARTTLS. Before a new connection would exceed <paramref name="budget"/>,
    /// idle sessions counted under it are closed.
    /// </summary>
    /// <exception cref="Exception">Whatever <see cref="SmtpConnector.ConnectAsync(SmtpEndpoint, bool, CancellationToken)"/> raises,
    /// e.g. <see cref="TlsRequiredException"/>.</exception>
    public async Task<SmtpSession> RentAsync(SmtpEndpoint endpoint, bool requireTls, SessionBudget budget, CancellationToken cancellationToken)
    {
        if (TakeIdle(endpoint, requireTls) is { } found)
        {
            CountUnder(found, budget);
            await TrimIdleAsync(budget, reserve: 0);
            return found;
        }

        TakeConnectAllowance(budget);

        // The receiver counts a session until it is closed: wait for the QUITs before connecting again.
        await TrimIdleAsync(budget, reserve: 1);
        await WaitForClosingAsync(budget, cancellationToken);
        var connected = _breakers is null
            ? await _connector.ConnectAsync(endpoint, requireTls, cancellationToken)
            : await _breakers.ConnectAsync(endpoint, token => _connector.ConnectAsync(endpoint, requireTls, token), cancellationToken);
        CountUnder(connected, budget);
        return connected;
    }

    /// <summary>
    /// While one more session would exceed the budget's group limit and sessions of the group are being closed
    /// (another caller's QUIT under way, not idle, so <see cref="TrimIdleAsync"/> cannot take them), waits for
    /// those closes, at most 6 s (a close gives QUIT 5 s): the receiver counts them until they are closed.
    /// </summary>
    private async Task WaitForClosingAsync(SessionBudget budget, CancellationToken cancellationToken)
    {
        if (budget.GroupMaxOpen == int.MaxValue)
        {
            return;
        }

        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(6);
        while (OpenSessionsInGroup(budget.GroupKey) + 1 > budget.GroupMaxOpen
               && _closingInGroup.TryGetValue(budget.GroupKey, out var closing) && Volatile.Read(ref closing.Value) > 0
               && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken);
        }
    }

    /// <summary>Counts one new connection under the budget's per-minute limit, or raises when the minute's are used up.</summary>
    private void TakeConnectAllowance(SessionBudget budget)
    {
        if (budget.ConnectsPerMinute <= 0)
        {
            return;
        }

        var minute = _time.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute;
        while (true)
        {
            var current = _connects.GetOrAdd(budget.GroupKey, (minute, 0));
            var count = current.Minute == minute ? current.Count : 0;
            if (count >= budget.ConnectsPerMinute)
            {
                throw new ConnectionRateExceededException(budget.GroupKey, budget.ConnectsPerMinute);
            }

            if (_connects.TryUpdate(budget.GroupKey, (minute, count + 1), current))
            {
                return;
            }
        }
    }

    /// <summary>True when mail for <paramref name="domain"/> must travel over TLS (<see cref="SmtpOptions.RequiresTls"/>).</summary>
    public bool RequiresTls(string domain) => _options.RequiresTls(domain);

    /// <summary>
    /// Gives a session back: kept when healthy, under <paramref name="maxMessages"/> and within
    /// <paramref name="budget"/>; else closed with QUIT (completes when it is closed, so that the caller's
    /// next connection does not overlap it on the receiver's side).
    /// </summary>
    public Task ReturnAsync(SmtpSession session, bool healthy, int maxMessages, SessionBudget budget)
    {
        if (healthy && session.Client.IsConnected && session.MessagesSent < maxMessages
            && OpenSessions(session.BudgetKey) <= budget.MaxOpen && OpenSessionsInGroup(session.BudgetGroup) <= budget.GroupMaxOpen)
        {
            session.IdleSince = _time.GetUtcNow();
            session.IdleLimit = budget.IdleMs > 0 ? TimeSpan.FromMilliseconds(budget.IdleMs) : null;
            _idle.GetOrAdd(session.Endpoint, _ => new ConcurrentStack<SmtpSession>()).Push(session);
            return Task.CompletedTask;
        }

        return Discard(session);
    }

    /// <summary>Gives a session back with no budget (see <see cref="ReturnAsync(SmtpSession, bool, int, SessionBudget)"/>).</summary>
    public Task ReturnAsync(SmtpSession session, bool healthy, int maxMessages) =>
        ReturnAsync(session, healthy, maxMessages, new SessionBudget(session.BudgetKey, int.MaxValue, Group: session.BudgetGroup.Length > 0 ? session.BudgetGroup : null));

    /// <summary>
    /// Closes, with QUIT, every idle session counted under <paramref name="budgetKey"/> (any host); completes
    /// when they are closed. Sessions rented out are left alone. Used when the owner of a budget key moves to
    /// another process, so the key's session there does not overlap one still idle here.
    /// </summary>
    /// <returns>How many sessions were closed.</returns>
    public async Task<int> CloseIdleAsync(string budgetKey)
    {
        var closing = DiscardIdleWhere(session => session.BudgetKey == budgetKey);
        await Task.WhenAll(closing);
        return closing.Count;
    }

    /// <summary>
    /// Takes every idle session for which <paramref name="close"/> says true out of the pool (asked once per
    /// session, oldest last) and starts closing it; the others stay, in their order.
    /// </summary>
    private List<Task> DiscardIdleWhere(Func<SmtpSession, bool> close)
    {
        var closing = new List<Task>();
        foreach (var stack in _idle.Values)
        {
            var keep = new List<SmtpSession>();
            while (stack.TryPop(out var session))
            {
                if (close(session))
                {
                    closing.Add(Discard(session));
                }
                else
                {
                    keep.Add(session);
                }
            }

            // Push back oldest first so the most recently used session is rented next.
            for (var i = keep.Count - 1; i >= 0; i--)
            {
                stack.Push(keep[i]);
            }
        }

        return closing;
    }

    private SmtpSession? TakeIdle(SmtpEndpoint endpoint, bool requireTls)
    {
        if (!_idle.TryGetValue(endpoint, out var stack))
        {
            return null;
        }

        List<SmtpSession>? cleartext = null;
        SmtpSession? found = null;
        while (stack.TryPop(out var session))
        {
            if (!session.Client.IsConnected || _time.GetUtcNow() - session.IdleSince >= (session.IdleLimit ?? _idleLimit))
            {
                _ = Discard(session);
            }
            else if (requireTls && !session.Client.IsSecure)
            {
                (cleartext ??= []).Add(session);
            }
            else
            {
                found = session;
                break;
            }
        }

        for (var i = (cleartext?.Count ?? 0) - 1; i >= 0; i--)
        {
            stack.Push(cleartext![i]);
        }

        return found;
    }

    /// <summary>
    /// Closes idle sessions (any host) until <paramref name="reserve"/> more fit in <paramref name="budget"/>: first
    /// the key's own, then, for the group's limit, idle ones of the group's other keys.
    /// </summary>
    private Task TrimIdleAsync(SessionBudget budget, int reserve)
    {
        var keyExcess = budget.MaxOpen == int.MaxValue ? 0 : OpenSessions(budget.Key) + reserve - budget.MaxOpen;
        var groupExcess = budget.GroupMaxOpen == int.MaxValue ? 0 : OpenSessionsInGroup(budget.GroupKey) + reserve - budget.GroupMaxOpen;
        if (keyExcess <= 0 && groupExcess <= 0)
        {
            return Task.CompletedTask;
        }

        // First pass: the key's own idle sessions; second: the group's others, for the group's limit.
        var closing = DiscardIdleWhere(session => session.BudgetKey == budget.Key && (keyExcess > 0 || groupExcess > 0) && Closing(session));
        closing.AddRange(DiscardIdleWhere(session => session.BudgetGroup == budget.GroupKey && groupExcess > 0 && Closing(session)));
        return Task.WhenAll(closing);

        bool Closing(SmtpSession session)
        {
            keyExcess -= session.BudgetKey == budget.Key ? 1 : 0;
            groupExcess--;
            return true;
        }
    }

    /// <summary>Counts a session under the budget's key and group (moving it from its previous ones, if any).</summary>
    private void CountUnder(SmtpSession session, SessionBudget budget)
    {
        if (session.BudgetKey == budget.Key && session.BudgetGroup == budget.GroupKey)
        {
            return;
        }

        Uncount(session);
        session.BudgetKey = budget.Key;
        session.BudgetGroup = budget.GroupKey;
        Interlocked.Increment(ref _open.GetOrAdd(budget.Key, _ => new StrongBox<int>()).Value);
        Interlocked.Increment(ref _openInGroup.GetOrAdd(budget.GroupKey, _ => new StrongBox<int>()).Value);
    }

    private void Uncount(SmtpSession session)
    {
        if (session.BudgetKey.Length > 0 && _open.TryGetValue(session.BudgetKey, out var count))
        {
            Interlocked.Decrement(ref count.Value);
        }

        if (session.BudgetGroup.Length > 0 && _openInGroup.TryGetValue(session.BudgetGroup, out var inGroup))
        {
            Interlocked.Decrement(ref inGroup.Value);
        }
    }

    /// <summary>Closes a session with QUIT; it counts as open until it is closed.</summary>
    private async Task Discard(SmtpSession session)
    {
        var group = session.BudgetGroup.Length > 0 ? _closingInGroup.GetOrAdd(session.BudgetGroup, _ => new StrongBox<int>()) : null;
        if (group is not null)
        {
            Interlocked.Increment(ref group.Value);
        }

        try
        {
            await CloseAsync(session);
        }
        finally
        {
            Uncount(session);
            session.BudgetKey = string.Empty;
            session.BudgetGroup = string.Empty;
            if (group is not null)
            {
                Interlocked.Decrement(ref group.Value);
            }
        }
    }

    private void CloseIdle()
    {
        var now = _time.GetUtcNow();
        _ = DiscardIdleWhere(session => now - session.IdleSince >= (session.IdleLimit ?? _idleLimit) || !session.Client.IsConnected);
    }

    private static async Task CloseAsync(SmtpSession session)
    {
        try
        {
            if (session.Client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await session.Client.DisconnectAsync(quit: true, timeout.Token);
            }
        }
        catch (Exception)
        {
            // The peer may already be gone; closing is best effort.
        }
        finally
        {
            session.Client.Dispose();
            Telemetry.MailMetrics.SessionDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(session.OpenedAt).TotalSeconds);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _sweeper.DisposeAsync();
        foreach (var stack in _idle.Values)
        {
            while (stack.TryPop(out var session))
            {
                Uncount(session);
                await CloseAsync(session);
            }
        }
    }
}
