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
}

/// <summary>
/// Keeps SMTP sessions open between batches so that many messages share one connection (no new TCP and
/// EHLO per batch). A session is closed with QUIT once it reached its message limit, went bad, or sat idle
/// longer than <see cref="SmtpOptions.IdleConnectionMs"/>. It counts the sessions open to each host, idle
/// ones included, because a receiver counts them too: a caller that learned a host's connection limit
/// passes it, and the pool closes idle sessions beyond it instead of keeping them (C12).
/// </summary>
public sealed class SmtpSessionPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SmtpEndpoint, ConcurrentStack<SmtpSession>> _idle = new();
    private readonly ConcurrentDictionary<SmtpEndpoint, StrongBox<int>> _open = new();
    private readonly SmtpConnector _connector;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleLimit;
    private readonly ITimer _sweeper;
    private readonly SmtpOptions _options;

    /// <summary>Creates the pool; a timer closes idle sessions every second.</summary>
    public SmtpSessionPool(SmtpConnector connector, IOptions<SmtpOptions> options, TimeProvider time)
    {
        _connector = connector;
        _options = options.Value;
        _time = time;
        _idleLimit = TimeSpan.FromMilliseconds(options.Value.IdleConnectionMs);
        _sweeper = time.CreateTimer(_ => CloseIdle(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>An idle connected session to <paramref name="endpoint"/>, or a new one (opportunistic TLS).</summary>
    /// <exception cref="Exception">Whatever <see cref="SmtpConnector.ConnectAsync(SmtpEndpoint, bool, CancellationToken)"/> raises.</exception>
    public Task<SmtpSession> RentAsync(SmtpEndpoint endpoint, CancellationToken cancellationToken) =>
        RentAsync(endpoint, requireTls: false, int.MaxValue, cancellationToken);

    /// <summary>Sessions open to <paramref name="endpoint"/> from this process now, idle pooled ones included.</summary>
    public int OpenSessions(SmtpEndpoint endpoint) => _open.TryGetValue(endpoint, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>
    /// An idle connected session to <paramref name="endpoint"/>, or a new one. With <paramref name="requireTls"/>
    /// only a session that completed STARTTLS is reused (cleartext ones stay in the pool for other domains),
    /// and a new one must complete STARTTLS.
    /// </summary>
    /// <param name="endpoint">The host to connect to.</param>
    /// <param name="requireTls">Only a session that completed STARTTLS will do.</param>
    /// <param name="maxOpen">The most sessions the host accepts from us (int.MaxValue when unknown): idle
    /// sessions beyond it are closed first, so that with the new one at most this many are open.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <exception cref="Exception">Whatever <see cref="SmtpConnector.ConnectAsync(SmtpEndpoint, bool, CancellationToken)"/> raises,
    /// e.g. <see cref="TlsRequiredException"/>.</exception>
    public async Task<SmtpSession> RentAsync(SmtpEndpoint endpoint, bool requireTls, int maxOpen, CancellationToken cancellationToken)
    {
        if (_idle.TryGetValue(endpoint, out var stack))
        {
            List<SmtpSession>? cleartext = null;
            SmtpSession? found = null;
            while (stack.TryPop(out var session))
            {
                if (!session.Client.IsConnected || _time.GetUtcNow() - session.IdleSince >= _idleLimit)
                {
                    Discard(session);
                }
                else if (OpenSessions(endpoint) > maxOpen)
                {
                    // Over the host's connection limit: idle sessions count against it on the receiver's side.
                    Discard(session);
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

            if (found is not null)
            {
                return found;
            }
        }

        var connected = await _connector.ConnectAsync(endpoint, requireTls, cancellationToken);
        Interlocked.Increment(ref _open.GetOrAdd(endpoint, _ => new StrongBox<int>()).Value);
        return connected;
    }

    /// <summary>True when mail for <paramref name="domain"/> must travel over TLS (<see cref="SmtpOptions.RequireTlsDomains"/>).</summary>
    public bool RequiresTls(string domain) => _options.RequiresTls(domain);

    /// <summary>
    /// Gives a session back: kept when healthy, under <paramref name="maxMessages"/> and not beyond
    /// <paramref name="maxOpen"/> sessions open to its host; else closed with QUIT.
    /// </summary>
    public void Return(SmtpSession session, bool healthy, int maxMessages, int maxOpen = int.MaxValue)
    {
        if (healthy && session.Client.IsConnected && session.MessagesSent < maxMessages && OpenSessions(session.Endpoint) <= maxOpen)
        {
            session.IdleSince = _time.GetUtcNow();
            _idle.GetOrAdd(session.Endpoint, _ => new ConcurrentStack<SmtpSession>()).Push(session);
            return;
        }

        Discard(session);
    }

    /// <summary>Stops counting a session as open and closes it in the background.</summary>
    private void Discard(SmtpSession session)
    {
        if (_open.TryGetValue(session.Endpoint, out var count))
        {
            Interlocked.Decrement(ref count.Value);
        }

        _ = CloseAsync(session);
    }

    private void CloseIdle()
    {
        var now = _time.GetUtcNow();
        foreach (var stack in _idle.Values)
        {
            var keep = new List<SmtpSession>();
            while (stack.TryPop(out var session))
            {
                if (now - session.IdleSince >= _idleLimit || !session.Client.IsConnected)
                {
                    Discard(session);
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
                if (_open.TryGetValue(session.Endpoint, out var count))
                {
                    Interlocked.Decrement(ref count.Value);
                }

                await CloseAsync(session);
            }
        }
    }
}
