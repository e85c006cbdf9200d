using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.Smtp;

/// <summary>A site's connection attempts per minute: new connections beyond it are not made; idle sessions are still reused.</summary>
public sealed class SmtpSessionPoolConnectRateTests
{
    [Fact]
    public async Task RentAsync_ConnectsPerMinuteReached_RaisesUntilNextMinuteButReusesIdleSessions()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 5, TimeSpan.Zero));
        var settings = Options.Create(new SmtpOptions { LoopbackOnly = true, ConnectTimeoutMs = 5000, CommandTimeoutMs = 5000, EhloName = "mailer.example.com" });
        await using var pool = new SmtpSessionPool(new SmtpConnector(settings), settings, time);
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var budget = new SessionBudget("provider:slow", int.MaxValue, ConnectsPerMinute: 2);

        var first = await pool.RentAsync(endpoint, requireTls: false, budget, Cancel);
        var second = await pool.RentAsync(endpoint, requireTls: false, budget, Cancel);
        await Assert.ThrowsAsync<ConnectionRateExceededException>(() => pool.RentAsync(endpoint, requireTls: false, budget, Cancel));

        await pool.ReturnAsync(first, healthy: true, maxMessages: 100, budget);
        var reused = await pool.RentAsync(endpoint, requireTls: false, budget, Cancel);
        Assert.Same(first, reused);

        time.Advance(TimeSpan.FromMinutes(1));
        var third = await pool.RentAsync(endpoint, requireTls: false, budget, Cancel);
        Assert.NotSame(second, third);
        Assert.Equal(3, pool.OpenSessions("provider:slow"));
    }

    [Fact]
    public async Task SendAsync_ConnectsPerMinuteReached_MessagesNotTried()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var budget = new SessionBudget("provider:slow", int.MaxValue, ConnectsPerMinute: 1);
        var held = await pool.RentAsync(endpoint, requireTls: false, budget, Cancel);
        var sender = new SmtpBatchSender(new FixedRouter(endpoint), pool, NullLogger<SmtpBatchSender>.Instance);

        var outcomes = await sender.SendAsync("example.org", [Message("user@example.org")], 10, budget, null, Cancel);

        var outcome = Assert.Single(outcomes);
        Assert.True(outcome.NotTried);
        Assert.Contains("new connections", outcome.Reply, StringComparison.Ordinal);
        Assert.Empty(server.Received);
        await pool.ReturnAsync(held, healthy: true, maxMessages: 100, budget);
    }
}
