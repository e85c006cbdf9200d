using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.Smtp;

/// <summary>
/// A connection slot that moves to another silo closes its idle session here first: only that key's idle
/// sessions are closed (with QUIT, before the call returns), rented ones and other keys' are kept.
/// </summary>
public sealed class SmtpSessionPoolCloseIdleTests
{
    [Fact]
    public async Task CloseIdleAsync_KeyWithIdleAndRentedSessions_ClosesOnlyItsIdleOneBeforeReturning()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var endpoint = SmtpEndpoint.Parse(server.Endpoint);
        var slot0 = new SessionBudget("site#0", 1, Group: "site", GroupMaxOpen: 3);
        var slot1 = new SessionBudget("site#1", 1, Group: "site", GroupMaxOpen: 3);
        var idle0 = await pool.RentAsync(endpoint, requireTls: false, slot0, Cancel);
        var idle1 = await pool.RentAsync(endpoint, requireTls: false, slot1, Cancel);
        await pool.ReturnAsync(idle0, healthy: true, maxMessages: 100, slot0);
        await pool.ReturnAsync(idle1, healthy: true, maxMessages: 100, slot1);
        var rented1 = await pool.RentAsync(endpoint, requireTls: false, slot1, Cancel);
        Assert.Same(idle1, rented1);

        var closed = await pool.CloseIdleAsync("site#0");

        Assert.Equal(1, closed);
        Assert.False(idle0.Client.IsConnected);
        Assert.True(rented1.Client.IsConnected);
        Assert.Equal((0, 1, 1), (pool.OpenSessions("site#0"), pool.OpenSessions("site#1"), pool.OpenSessionsInGroup("site")));
        Assert.Equal(0, await pool.CloseIdleAsync("site#1"));
        // The receiver saw the QUIT: one session left (the rented one).
        Assert.Equal(1, server.AdmittedSessions);
        await pool.ReturnAsync(rented1, healthy: true, maxMessages: 100, slot1);
    }
}
