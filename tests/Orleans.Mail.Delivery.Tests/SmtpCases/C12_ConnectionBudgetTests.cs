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
    public async Task C12_IdleSessionsBeyondLimit_ClosedOnRent()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var sessions = new List<SmtpSession>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await pool.RentAsync(endpoint, requireTls: false, int.MaxValue, Cancel));
        }

        foreach (var session in sessions)
        {
            pool.Return(session, healthy: true, maxMessages: 100);
        }

        Assert.Equal(3, pool.OpenSessions(endpoint));

        var reused = await pool.RentAsync(endpoint, requireTls: false, maxOpen: 1, Cancel);

        Assert.Contains(reused, sessions);
        Assert.Equal(1, pool.OpenSessions(endpoint));
        pool.Return(reused, healthy: true, maxMessages: 100, maxOpen: 1);
        Assert.Equal(1, pool.OpenSessions(endpoint));
    }

    [Fact]
    public async Task C12_ReturnBeyondLimit_ClosesInsteadOfPooling()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var first = await pool.RentAsync(endpoint, requireTls: false, int.MaxValue, Cancel);
        var second = await pool.RentAsync(endpoint, requireTls: false, int.MaxValue, Cancel);

        pool.Return(first, healthy: true, maxMessages: 100, maxOpen: 1);
        pool.Return(second, healthy: true, maxMessages: 100, maxOpen: 1);

        Assert.Equal(1, pool.OpenSessions(endpoint));
    }

    [Fact]
    public async Task C12_SessionRefused_ReportsSessionsStillOpenAndDoesNotReconnect()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(maxSessions: 1);
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        // One session of ours is busy elsewhere: the host's only slot.
        var busy = await pool.RentAsync(endpoint, requireTls: false, int.MaxValue, Cancel);
        var messages = Enumerable.Range(0, 5).Select(i => Message($"user{i}@example.org")).ToArray();

        var outcomes = await SendAsync(pool, server.Endpoint, messages);

        Assert.All(outcomes, o => Assert.Equal((421, SendResultKind.Temporary, (int?)1), (o.Code, o.Kind, o.OpenSessions)));
        Assert.Contains("Too many connections", outcomes[0].Reply);
        Assert.Single(server.Refusals);
        pool.Return(busy, healthy: true, maxMessages: 100);
    }
}
