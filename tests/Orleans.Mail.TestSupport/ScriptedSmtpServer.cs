using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Orleans.Mail.TestSupport;

/// <summary>
/// An SMTP server on 127.0.0.1 (the SmtpServer package) whose answers depend on the recipient's local
/// part, for tests that need per-recipient behaviour a sink cannot script:
/// <c>unknown…</c> → <c>550 5.1.1</c> at RCPT; <c>grey…</c> → <c>451 4.7.1</c> on the first RCPT of that
/// address, accepted afterwards; <c>reputation…</c> → a Gmail-style <c>421 4.7.28</c> reputation deferral on
/// the first RCPT, accepted afterwards; anything else accepted. Every accepted message is kept with its envelope.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly ConcurrentQueue<ReceivedMessage> _received = new();
    private readonly ConcurrentDictionary<string, int> _rcptAttempts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _rcptTimes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<DateTimeOffset> _sessions = new();

    private ScriptedSmtpServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("scripted.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Filter(this));
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, _) => _sessions.Enqueue(DateTimeOffset.UtcNow);
        _running = server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Messages accepted so far.</summary>
    public IReadOnlyList<ReceivedMessage> Received => _received.ToArray();

    /// <summary>When each SMTP session began.</summary>
    public IReadOnlyList<DateTimeOffset> SessionStarts => _sessions.ToArray();

    /// <summary>When each RCPT for <paramref name="address"/> arrived.</summary>
    public IReadOnlyList<DateTimeOffset> RcptTimes(string address) => _rcptTimes.TryGetValue(address, out var q) ? q.ToArray() : [];

    /// <summary>RCPT commands seen per address (accepted or not).</summary>
    public int RcptAttempts(string address) => _rcptAttempts.TryGetValue(address, out var n) ? n : 0;

    public static async Task<ScriptedSmtpServer> StartAsync(int? port = null)
    {
        var server = new ScriptedSmtpServer(port ?? FreePort.Next());
        if (!await FreePort.WaitOpenAsync(server.Port, TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"Scripted SMTP server did not listen on {server.Port}.");
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
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            var address = $"{to.User}@{to.Host}";
            var attempt = server._rcptAttempts.AddOrUpdate(address, 1, (_, n) => n + 1);
            server._rcptTimes.GetOrAdd(address, _ => new ConcurrentQueue<DateTimeOffset>()).Enqueue(DateTimeOffset.UtcNow);
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
        public override Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = MimeMessage.Load(stream, cancellationToken);
            var recipients = transaction.To.Select(m => $"{m.User}@{m.Host}").ToArray();
            server._received.Enqueue(new ReceivedMessage(recipients, message, Path: string.Empty));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
