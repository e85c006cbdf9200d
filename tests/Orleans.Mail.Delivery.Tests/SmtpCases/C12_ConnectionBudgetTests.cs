using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C12 — the sender's side of a host's connection budget: idle pooled sessions count against it, a
/// refused session reports how many the host still had from us, and a 421 is not answered with a storm
/// of reconnections.
/// </summary>
public sealed class C12_ConnectionBudgetTests
{
    [Fact]
    public async Task C12_IdleSessionsBeyondBudget_ClosedOnRent()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var open = new SessionBudget("site", int.MaxValue);
        var sessions = new List<SmtpSession>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await pool.RentAsync(endpoint, requireTls: false, open, Cancel));
        }

        foreach (var session in sessions)
        {
            await pool.ReturnAsync(session, healthy: true, maxMessages: 100, open);
        }

        Assert.Equal(3, pool.OpenSessions("site"));

        var reused = await pool.RentAsync(endpoint, requireTls: false, new SessionBudget("site", 1), Cancel);

        Assert.Contains(reused, sessions);
        Assert.Equal(1, pool.OpenSessions("site"));
        await pool.ReturnAsync(reused, healthy: true, maxMessages: 100, new SessionBudget("site", 1));
        Assert.Equal(1, pool.OpenSessions("site"));
    }

    [Fact]
    public async Task C12_BudgetSpansHosts_IdleSessionToOtherHostClosedBeforeNewConnection()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        // Two MX hosts of one site (both on the loopback server here).
        var first = new SmtpEndpoint("127.0.0.1", server.Port, "mx1.site.example");
        var second = new SmtpEndpoint("127.0.0.1", server.Port, "mx2.site.example");
        var budget = new SessionBudget("provider:site", 2);
        var a = await pool.RentAsync(first, requireTls: false, budget, Cancel);
        var b = await pool.RentAsync(first, requireTls: false, budget, Cancel);
        await pool.ReturnAsync(a, healthy: true, maxMessages: 100, budget);
        await pool.ReturnAsync(b, healthy: true, maxMessages: 100, budget);

        var c = await pool.RentAsync(second, requireTls: false, budget, Cancel);

        Assert.Equal(2, pool.OpenSessions("provider:site"));
        Assert.Equal(second, c.Endpoint);
        await pool.ReturnAsync(c, healthy: true, maxMessages: 100, budget);
        // The server agrees once the closed session's QUIT has gone through.
        await Task.Delay(300, Cancel);
        Assert.Equal(2, server.MaxLiveSince(DateTimeOffset.UtcNow.AddMilliseconds(-100)));
    }

    [Fact]
    public async Task C12_ReturnBeyondBudget_ClosesInsteadOfPooling()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var open = new SessionBudget("site", int.MaxValue);
        var first = await pool.RentAsync(endpoint, requireTls: false, open, Cancel);
        var second = await pool.RentAsync(endpoint, requireTls: false, open, Cancel);

        await pool.ReturnAsync(first, healthy: true, maxMessages: 100, new SessionBudget("site", 1));
        await pool.ReturnAsync(second, healthy: true, maxMessages: 100, new SessionBudget("site", 1));

        Assert.Equal(1, pool.OpenSessions("site"));
    }

    [Fact]
    public async Task C12_SessionRefused_ReportsSessionsStillOpenAndDoesNotReconnect()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(maxSessions: 1);
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        // One session of ours is busy elsewhere: the host's only slot.
        var busy = await pool.RentAsync(endpoint, Cancel);
        var messages = Enumerable.Range(0, 5).Select(i => Message($"user{i}@example.org")).ToArray();

        var outcomes = await SendAsync(pool, server.Endpoint, messages);

        Assert.All(outcomes, o => Assert.Equal((421, SendResultKind.Temporary, (int?)1), (o.Code, o.Kind, o.OpenSessions)));
        Assert.Contains("Too many connections", outcomes[0].Reply);
        Assert.Single(server.Refusals);
        await pool.ReturnAsync(busy, healthy: true, maxMessages: 100);
    }
}
