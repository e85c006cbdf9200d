using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;
using static Orleans.Mail.Delivery.Tests.SmtpCases.SmtpCaseHarness;

namespace Orleans.Mail.Delivery.Tests.Smtp;

/// <summary>A batch never starts a transaction after its start-before time: the lease would run out under it and another worker could send the same message.</summary>
public sealed class SmtpBatchSenderLeaseTests
{
    [Fact]
    public async Task SendAsync_StartBeforePassed_NothingSentAllNotTriedStageLease()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var pool = Pool();
        var sender = new SmtpBatchSender(new FixedRouter(SmtpEndpoint.Parse(server.Endpoint)), pool, NullLogger<SmtpBatchSender>.Instance);
        var messages = Enumerable.Range(0, 3).Select(i => Message($"user{i}@example.org")).ToArray();
        var sessionsBefore = server.SessionStarts.Count; // the start-up probe's

        var outcomes = await sender.SendAsync("example.org", messages, 10, null, DateTimeOffset.UtcNow.AddSeconds(-1), Cancel);

        Assert.All(outcomes, o => Assert.Equal((true, SmtpBatchSender.LeaseStage, SendResultKind.Temporary), (o.NotTried, o.Stage, o.Kind)));
        Assert.Equal(sessionsBefore, server.SessionStarts.Count);
    }

    [Fact]
    public async Task SendAsync_StartBeforeReachedMidBatch_SentOnesDeliveredRestNotTried()
    {
        // 300 ms per message, a limit 500 ms away: two messages start in time, the rest wait for the next lease.
        await using var server = await ScriptedSmtpServer.StartAsync(saveDelay: TimeSpan.FromMilliseconds(300));
        await using var pool = Pool();
        var sender = new SmtpBatchSender(new FixedRouter(SmtpEndpoint.Parse(server.Endpoint)), pool, NullLogger<SmtpBatchSender>.Instance);
        var messages = Enumerable.Range(0, 6).Select(i => Message($"user{i}@example.org")).ToArray();

        var outcomes = await sender.SendAsync("example.org", messages, 10, null, DateTimeOffset.UtcNow.AddMilliseconds(500), Cancel);

        var delivered = outcomes.Count(o => o.Kind == SendResultKind.Delivered);
        Assert.InRange(delivered, 1, 3);
        Assert.All(outcomes.Where(o => o.Kind != SendResultKind.Delivered), o => Assert.True(o.NotTried));
        Assert.Equal(delivered, server.Received.Count);
    }
}
