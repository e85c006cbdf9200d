using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.Smtp;

/// <summary>A dead MX host (accepts TCP, hangs up before any greeting) is rested by its circuit breaker instead of being hammered.</summary>
public sealed class HostCircuitBreakersTests
{
    [Fact]
    public async Task DeadHost_AfterThreeFailedConnections_NoMoreConnectionsAndBatchesNotCharged()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var hangingUp = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var client = await listener.AcceptTcpClientAsync(stop.Token);
                    Interlocked.Increment(ref accepted);
                    client.Client.Close();
                }
            },
            Cancel);
        var settings = Options.Create(new SmtpOptions
        {
            LoopbackOnly = true, ConnectTimeoutMs = 2000, CommandTimeoutMs = 2000, EhloName = "mailer.example.com",
            BreakerFailures = 3, BreakerOpenSeconds = 60,
        });
        await using var pool = new SmtpSessionPool(new SmtpConnector(settings), settings, TimeProvider.System, new HostCircuitBreakers(settings, TimeProvider.System));
        var sender = new SmtpBatchSender(new FixedRouter(new SmtpEndpoint("127.0.0.1", port)), pool, NullLogger<SmtpBatchSender>.Instance);

        var outcomes = new List<SendOutcome>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.AddRange(await sender.SendAsync("example.org", [Message($"user{i}@example.org")], 10, Cancel));
        }

        await stop.CancelAsync();
        Assert.Equal(3, Volatile.Read(ref accepted));
        Assert.All(outcomes, o => Assert.Equal(SendResultKind.Temporary, o.Kind));
        Assert.Equal([false, false, false, true, true], outcomes.Select(o => o.NotTried));
        Assert.Contains("circuit breaker", outcomes[4].Reply, StringComparison.Ordinal);
    }
}
