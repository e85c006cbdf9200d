namespace Orleans.Mail.Storage.Tests;

/// <summary>C17 — asynchronous bounces (DSNs after our 250) recorded against the spool.</summary>
public sealed class BounceStoreTests(SpoolFixture spool) : IClassFixture<SpoolFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private BounceStore Bounces => new(spool.DataSource, spool.Time);

    /// <summary>A transactional message to the addresses on <paramref name="domain"/>, delivered (250) to all of them.</summary>
    private async Task<Guid> DeliveredMessageAsync(string tenant, string domain, params string[] addresses)
    {
        var messageId = Guid.CreateVersion7();
        await spool.Messages.InsertTransactionalAsync(
            messageId, tenant, "{}", addresses.Select(a => (a, domain)).ToArray(), () => Guid.CreateVersion7(), Token);
        var leased = await spool.Queue.ClaimAsync(domain, 10, Lease, Token);
        var now = spool.Time.GetUtcNow();
        await spool.Queue.RecordAsync(
            leased.Select(m => new AttemptOutcome(m.SpoolId, MessageState.Delivered, null, "mx:25", 250, "250 2.0.0 ok", "delivered", now, "ok")).ToArray(),
            Token);
        return messageId;
    }

    private async Task<List<(string Host, int Code, string Action, string Class)>> AttemptsOfAsync(string recipient)
    {
        await using var command = spool.DataSource.CreateCommand(
            "SELECT a.mx_host, a.smtp_code, a.action, a.class FROM delivery_attempt a JOIN spool s ON s.id = a.spool_id " +
            "WHERE s.recipient = $1 ORDER BY a.id");
        command.Parameters.Add(new() { Value = recipient });
        var rows = new List<(string, int, string, string)>();
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
        {
            rows.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    [Fact]
    public async Task C17_BounceAfterDelivery_MarksBouncedLogsTheAttemptAndSuppresses()
    {
        var message = await DeliveredMessageAsync("b1", "bnc.example", "Gone@bnc.example", "slow@bnc.example");

        var matched = await Bounces.RecordAsync(
            [new BounceRecord(message, "gone@BNC.example", "invalid-recipient", Suppress: true, "550 5.1.1 user unknown", 550)], Token);

        Assert.Equal([true], matched);
        Assert.Equal((short)MessageState.Bounced, await spool.StateOfAsync("Gone@bnc.example"));
        Assert.Equal(
            [("mx:25", 250, "delivered", "ok"), ("dsn", 550, "bounce", "invalid-recipient")],
            await AttemptsOfAsync("Gone@bnc.example"));
        var suppressed = Assert.Single(await spool.Suppressions.FindAsync("b1", ["GONE@bnc.example", "slow@bnc.example"], Token));
        Assert.Equal(("Gone@bnc.example", "invalid-recipient", "550 5.1.1 user unknown"), (suppressed.Address, suppressed.Class, suppressed.Reason));
        Assert.Empty(await spool.Suppressions.FindAsync("other-tenant", ["gone@bnc.example"], Token));
    }

    [Fact]
    public async Task C17_DelayedRecipientOfTheSameDsn_Unchanged()
    {
        // The DSN's delayed recipient yields no bounce record: its row, log and suppression list stay as they were.
        var message = await DeliveredMessageAsync("b2", "dly.example", "gone@dly.example", "slow@dly.example");

        await Bounces.RecordAsync([new BounceRecord(message, "gone@dly.example", "invalid-recipient", Suppress: true, "550 5.1.1 user unknown", 550)], Token);

        Assert.Equal((short)MessageState.Delivered, await spool.StateOfAsync("slow@dly.example"));
        Assert.Equal([("mx:25", 250, "delivered", "ok")], await AttemptsOfAsync("slow@dly.example"));
        Assert.Empty(await spool.Suppressions.FindAsync("b2", ["slow@dly.example"], Token));
        Assert.Empty(await Bounces.RecordAsync([], Token));
    }

    [Fact]
    public async Task C17_NonRecipientLevelBounceAndUnknownRows_NoSuppressionAndUnmatchedReported()
    {
        var message = await DeliveredMessageAsync("b3", "pol.example", "user@pol.example");

        var matched = await Bounces.RecordAsync(
        [
            new BounceRecord(message, "user@pol.example", "policy-block", Suppress: false, "550 5.7.1 blocked", 550),
            new BounceRecord(message, "stranger@pol.example", "invalid-recipient", Suppress: true, "550 5.1.1 user unknown", 550),
            new BounceRecord(Guid.CreateVersion7(), "user@pol.example", "invalid-recipient", Suppress: true, "550 5.1.1 user unknown", 550),
        ], Token);

        Assert.Equal([true, false, false], matched);
        Assert.Equal((short)MessageState.Bounced, await spool.StateOfAsync("user@pol.example"));
        Assert.Equal(("dsn", 550, "bounce", "policy-block"), (await AttemptsOfAsync("user@pol.example"))[^1]);
        Assert.Empty(await spool.Suppressions.FindAsync("b3", ["user@pol.example", "stranger@pol.example"], Token));
    }
}
