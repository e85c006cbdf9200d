using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Orleans.Mail.TestSupport;

/// <summary>
/// An SMTP server on 127.0.0.1 (the SmtpServer package) whose answers depend on the recipient's local
/// part, for tests that need per-recipient behaviour a sink cannot script:
/// <c>unknown…</c> → <c>550 5.1.1</c> at RCPT; <c>grey…</c> → <c>451 4.7.1</c> on the first RCPT of that
/// address, accepted afterwards; <c>reputation…</c> → a Gmail-style <c>421 4.7.28</c> reputation deferral on
/// the first RCPT, accepted afterwards; <c>authfail…</c> → Gmail's <c>550 5.7.26</c> unauthenticated-sender
/// refusal at the end of data (C14); anything else accepted. Every accepted message is kept with its envelope.
/// With a session limit, a session opened while that many are live is refused at MAIL FROM with
/// <c>421 4.3.2 Too many connections, slow down</c> and closed (smtp-cases C12, F1). For a window after start it
/// can answer every MAIL FROM with <c>421 4.7.0 Try again later</c> (closing), or every RCPT with a Spamhaus-style
/// policy block of the client IP (<c>554 5.7.1</c>).
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly ConcurrentQueue<ReceivedMessage> _received = new();
    private readonly ConcurrentDictionary<string, int> _rcptAttempts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _rcptTimes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<DateTimeOffset> _sessions = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, int Live)> _liveChanges = new();
    private readonly ConcurrentQueue<DateTimeOffset> _refusals = new();
    private readonly ConcurrentQueue<DateTimeOffset> _receipts = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _receivedAt = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _recipientsBySource = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _sourceOf = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _liveLock = new();
    private readonly int? _maxSessions;
    private int _live;
    private int _admitted;
    private int _maxAdmitted;

    private readonly TimeSpan _saveDelay;
    private DateTimeOffset _deferUntil;
    private DateTimeOffset _blockUntil;
    private readonly ConcurrentQueue<(DateTimeOffset Start, int Messages)> _finishedSessions = new();

    private ScriptedSmtpServer(int port, int? maxSessions, TimeSpan saveDelay, TimeSpan deferAllFor, TimeSpan blockAllFor)
    {
        Port = port;
        _maxSessions = maxSessions;
        _saveDelay = saveDelay;
        Started = DateTimeOffset.UtcNow;
        _deferUntil = Started + deferAllFor;
        _blockUntil = Started + blockAllFor;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("scripted.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Filter(this));
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, e) =>
        {
            _sessions.Enqueue(DateTimeOffset.UtcNow);
            lock (_liveLock)
            {
                _live++;
                _liveChanges.Enqueue((DateTimeOffset.UtcNow, _live));
                var admit = _maxSessions is not { } max || _admitted < max;
                e.Context.Properties["admitted"] = admit;
                e.Context.Properties["started"] = DateTimeOffset.UtcNow;
                e.Context.Properties["messages"] = 0;
                if (admit)
                {
                    _admitted++;
                    _maxAdmitted = Math.Max(_maxAdmitted, _admitted);
                }
            }

            // A session that asked to QUIT no longer counts against the limit: the client waits for the 221
            // before it connects again, but this server's own end-of-session bookkeeping may run later than that.
            e.Context.CommandExecuting += (_, command) =>
            {
                if (command.Command is SmtpServer.Protocol.QuitCommand)
                {
                    Unadmit(command.Context);
                }
            };
        };
        EventHandler<SessionEventArgs> ended = (_, e) =>
        {
            lock (_liveLock)
            {
                _live--;
                _liveChanges.Enqueue((DateTimeOffset.UtcNow, _live));
                Unadmit(e.Context);

                if (e.Context.Properties.TryGetValue("started", out var started) && started is DateTimeOffset at)
                {
                    _finishedSessions.Enqueue((at, e.Context.Properties["messages"] is int n ? n : 0));
                }
            }
        };
        server.SessionCompleted += ended;
        server.SessionFaulted += (sender, e) => ended(sender, e);
        server.SessionCancelled += ended;
        _running = server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Messages accepted so far.</summary>
    public IReadOnlyList<ReceivedMessage> Received => _received.ToArray();

    /// <summary>When each SMTP session began.</summary>
    public IReadOnlyList<DateTimeOffset> SessionStarts => _sessions.ToArray();

    /// <summary>Recipients received, per client IP address (the sender's source address, e.g. one per silo).</summary>
    public IReadOnlyDictionary<string, int> RecipientsBySource => new Dictionary<string, int>(_recipientsBySource);

    /// <summary>The client IP address <paramref name="address"/> was first received from, or null.</summary>
    public string? SourceOf(string address) => _sourceOf.TryGetValue(address, out var source) ? source : null;

    /// <summary>When a message for <paramref name="address"/> was first accepted, or null.</summary>
    public DateTimeOffset? ReceivedAt(string address) => _receivedAt.TryGetValue(address, out var at) ? at : null;

    /// <summary>When the server started (the defer and block windows count from here).</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Sessions that ended: when each began and how many messages it delivered.</summary>
    public IReadOnlyList<(DateTimeOffset Start, int Messages)> FinishedSessions => _finishedSessions.ToArray();

    /// <summary>From now on, for <paramref name="duration"/>, every MAIL FROM gets <c>421 4.7.0 Try again later</c> (closing). Returns when it ends.</summary>
    public DateTimeOffset DeferAllFor(TimeSpan duration) => _deferUntil = DateTimeOffset.UtcNow + duration;

    /// <summary>From now on, for <paramref name="duration"/>, every RCPT gets a <c>554 5.7.1</c> policy block of the client IP. Returns when it ends.</summary>
    public DateTimeOffset BlockAllFor(TimeSpan duration) => _blockUntil = DateTimeOffset.UtcNow + duration;

    /// <summary>The next <paramref name="count"/> RCPT commands get a <c>554 5.7.1</c> policy block of the client IP, whenever they come.</summary>
    public void BlockNextRcpts(int count) => Interlocked.Exchange(ref _blocksLeft, count);

    private int _blocksLeft;

    /// <summary>MAIL FROM commands refused by the defer window.</summary>
    public int DeferredMailCommands => _deferredMail;

    private int _deferredMail;

    /// <summary>When each accepted recipient's message was received (one entry per recipient, at the final dot).</summary>
    public IReadOnlyList<DateTimeOffset> ReceiptTimes => _receipts.ToArray();

    /// <summary>Sessions refused for the session limit, by time.</summary>
    public IReadOnlyList<DateTimeOffset> Refusals => _refusals.ToArray();

    // Takes a session off the admitted count once (at QUIT or at its end, whichever comes first).
    private void Unadmit(ISessionContext context)
    {
        lock (_liveLock)
        {
            if (context.Properties.TryGetValue("admitted", out var admitted) && admitted is true)
            {
                context.Properties["admitted"] = false;
                _admitted--;
            }
        }
    }

    /// <summary>TCP sessions open now.</summary>
    public int LiveSessions { get { lock (_liveLock) { return _live; } } }

    /// <summary>Sessions admitted (not refused) that have not sent QUIT or ended.</summary>
    public int AdmittedSessions { get { lock (_liveLock) { return _admitted; } } }

    /// <summary>The most sessions admitted (not refused) at once; a session stops counting at its QUIT.</summary>
    public int MaxAdmittedSessions { get { lock (_liveLock) { return _maxAdmitted; } } }

    /// <summary>The most TCP sessions open at once (refused ones included) at or after <paramref name="since"/>.</summary>
    public int MaxLiveSince(DateTimeOffset since)
    {
        var changes = _liveChanges.ToArray();
        var max = 0;
        var current = 0;
        foreach (var (at, live) in changes)
        {
            if (at < since)
            {
                current = live;
                continue;
            }

            max = Math.Max(max, Math.Max(current, live));
            current = live;
        }

        return Math.Max(max, current);
    }

    /// <summary>When each RCPT for <paramref name="address"/> arrived.</summary>
    public IReadOnlyList<DateTimeOffset> RcptTimes(string address) => _rcptTimes.TryGetValue(address, out var q) ? q.ToArray() : [];

    /// <summary>RCPT commands seen per address (accepted or not).</summary>
    public int RcptAttempts(string address) => _rcptAttempts.TryGetValue(address, out var n) ? n : 0;

    /// <summary>Starts a server on 127.0.0.1.</summary>
    /// <param name="port">The port, else a free one.</param>
    /// <param name="maxSessions">Sessions admitted at once; more are refused with 421 4.3.2 at MAIL FROM. Null: no limit.</param>
    /// <param name="saveDelay">How long each message's reply to the final dot is held back (a slow receiver); default none.</param>
    /// <param name="deferAllFor">For this long after start, every MAIL FROM gets <c>421 4.7.0 Try again later</c> and the session is closed.</param>
    /// <param name="blockAllFor">For this long after start, every RCPT gets <c>554 5.7.1 … blocked using zen.spamhaus.org</c>.</param>
    public static async Task<ScriptedSmtpServer> StartAsync(
        int? port = null, int? maxSessions = null, TimeSpan? saveDelay = null, TimeSpan? deferAllFor = null, TimeSpan? blockAllFor = null)
    {
        var server = new ScriptedSmtpServer(port ?? FreePort.Next(), maxSessions, saveDelay ?? TimeSpan.Zero, deferAllFor ?? TimeSpan.Zero, blockAllFor ?? TimeSpan.Zero);
        if (!await FreePort.WaitOpenAsync(server.Port, TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"Scripted SMTP server did not listen on {server.Port}.");
        }

        // The readiness probe was a session too: let it end so it does not count against a session limit.
        for (var waited = 0; waited < 200 && server.LiveSessions > 0; waited++)
        {
            await Task.Delay(10);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Filter(ScriptedSmtpServer server) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
        {
            if (context.Properties.TryGetValue("admitted", out var admitted) && admitted is false)
            {
                server._refusals.Enqueue(DateTimeOffset.UtcNow);
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)421, "4.3.2 Too many connections, slow down"), true);
            }

            if (DateTimeOffset.UtcNow < server._deferUntil)
            {
                Interlocked.Increment(ref server._deferredMail);
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)421, "4.7.0 Try again later, closing connection."), true);
            }

            return Task.FromResult(true);
        }

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            var address = $"{to.User}@{to.Host}";
            var attempt = server._rcptAttempts.AddOrUpdate(address, 1, (_, n) => n + 1);
            server._rcptTimes.GetOrAdd(address, _ => new ConcurrentQueue<DateTimeOffset>()).Enqueue(DateTimeOffset.UtcNow);
            if (DateTimeOffset.UtcNow < server._blockUntil || Interlocked.Decrement(ref server._blocksLeft) >= 0)
            {
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)554,
                    "5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1"));
            }

            if (to.User.StartsWith("unknown", StringComparison.OrdinalIgnoreCase))
            {
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)550, $"5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"));
            }

            if (to.User.StartsWith("grey", StringComparison.OrdinalIgnoreCase) && attempt == 1)
            {
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)451, $"4.7.1 <{address}>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/"));
            }

            if (to.User.StartsWith("reputation", StringComparison.OrdinalIgnoreCase) && attempt == 1)
            {
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)421, "4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. gsmtp"), true);
            }

            return Task.FromResult(true);
        }
    }

    private sealed class Store(ScriptedSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (server._saveDelay > TimeSpan.Zero)
            {
                await Task.Delay(server._saveDelay, cancellationToken);
            }

            if (transaction.To.Any(m => m.User.StartsWith("authfail", StringComparison.OrdinalIgnoreCase)))
            {
                return new SmtpResponse((SmtpReplyCode)550,
                    "5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has been blocked. gsmtp");
            }

            using var stream = new MemoryStream(buffer.ToArray());
            var message = MimeMessage.Load(stream, cancellationToken);
            var recipients = transaction.To.Select(m => $"{m.User}@{m.Host}").ToArray();
            server._received.Enqueue(new ReceivedMessage(recipients, message, Path: string.Empty));
            context.Properties["messages"] = context.Properties.TryGetValue("messages", out var n) && n is int count ? count + 1 : 1;
            var now = DateTimeOffset.UtcNow;
            var source = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var remote) && remote is System.Net.IPEndPoint ip
                ? ip.Address.ToString()
                : "unknown";
            server._recipientsBySource.AddOrUpdate(source, recipients.Length, (_, n) => n + recipients.Length);
            foreach (var recipient in recipients)
            {
                server._sourceOf.TryAdd(recipient, source);
            }
            foreach (var recipient in recipients)
            {
                server._receipts.Enqueue(now);
                server._receivedAt.TryAdd(recipient, now);
            }

            return SmtpResponse.Ok;
        }
    }
}
