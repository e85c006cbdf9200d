namespace Orleans.Mail.Storage.Tests;

public sealed class DeliveryQueueTests(SpoolFixture spool) : IClassFixture<SpoolFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClaimAsync_ConcurrentClaimersOfOneDomain_NeverLeaseTheSameMessageTwice()
    {
        await spool.QueuedCampaignAsync("t1", "race", "race.example", 200);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => spool.Queue.ClaimAsync("race.example", 40, Lease, Token)));

        var ids = claims.SelectMany(c => c).Select(m => m.SpoolId).ToList();
        Assert.Equal(200, ids.Count);
        Assert.Equal(200, ids.Distinct().Count());
    }

    [Fact]
    public async Task ClaimAsync_SuppressedRecipient_EndsSuppressedAndIsNotLeased()
    {
        await spool.Suppressions.AddAsync("t2", ["Sup1@sup.example"], "test", Token);
        await spool.QueuedCampaignAsync("t2", "sup", "sup.example", 3);

        var leased = await spool.Queue.ClaimAsync("sup.example", 10, Lease, Token);

        Assert.Equal(["sup0@sup.example", "sup2@sup.example"], leased.Select(m => m.Recipient).Order(StringComparer.Ordinal));
        Assert.Equal((short)MessageState.Suppressed, await spool.StateOfAsync("sup1@sup.example"));
    }

    [Fact]
    public async Task ReleaseExpiredLeasesAsync_LeaseRunOut_MessagesClaimableAgainWithoutAnAttempt()
    {
        await spool.QueuedCampaignAsync("t1", "lease", "lease.example", 2);
        var first = await spool.Queue.ClaimAsync("lease.example", 10, Lease, Token);
        Assert.Equal(2, first.Count);
        Assert.Empty(await spool.Queue.ClaimAsync("lease.example", 10, Lease, Token));

        spool.Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var released = await spool.Queue.ReleaseExpiredLeasesAsync(Token);
        var again = await spool.Queue.ClaimAsync("lease.example", 10, Lease, Token);

        Assert.True(released >= 2);
        Assert.Equal(first.Select(m => m.SpoolId).Order(), again.Select(m => m.SpoolId).Order());
        Assert.All(again, m => Assert.Equal(0, m.Attempts));
    }

    [Fact]
    public async Task RecordAsync_DeferralAndRecipientBounce_StatesAttemptsLogAndSuppression()
    {
        await spool.QueuedCampaignAsync("t3", "rec", "rec.example", 2);
        var leased = await spool.Queue.ClaimAsync("rec.example", 10, Lease, Token);
        var now = spool.Time.GetUtcNow();
        var deferred = leased.Single(m => m.Recipient == "rec0@rec.example");
        var bounced = leased.Single(m => m.Recipient == "rec1@rec.example");

        await spool.Queue.RecordAsync(
        [
            new AttemptOutcome(deferred.SpoolId, MessageState.Deferred, now.AddMinutes(15), "mx:25", 451, "451 4.7.1 greylisted", "defer", now, "greylist"),
            new AttemptOutcome(bounced.SpoolId, MessageState.Bounced, null, "mx:25", 550, "550 5.1.1 unknown", "bounce", now, "invalid-recipient", Suppress: true, RemoteIp: "127.0.0.1"),
        ], Token);

        Assert.Equal((short)MessageState.Deferred, await spool.StateOfAsync("rec0@rec.example"));
        Assert.Equal((short)MessageState.Bounced, await spool.StateOfAsync("rec1@rec.example"));
        var status = await spool.Messages.GetAsync("t3", bounced.MessageId, Token);
        var attempt = Assert.Single(Assert.Single(status!.Recipients).Attempts);
        Assert.Equal((550, "invalid-recipient", "127.0.0.1"), (attempt.SmtpCode, attempt.Class, attempt.RemoteIp));
        var suppressed = await spool.Suppressions.FindAsync("t3", ["REC1@rec.example", "rec0@rec.example"], Token);
        Assert.Equal(["rec1@rec.example"], suppressed.Select(s => s.Address));

        // Not due until the deferral time: our own waiting is not an attempt.
        Assert.Empty(await spool.Queue.ClaimAsync("rec.example", 10, Lease, Token));
        spool.Time.Advance(TimeSpan.FromMinutes(16));
        var retry = Assert.Single(await spool.Queue.ClaimAsync("rec.example", 10, Lease, Token));
        Assert.Equal((deferred.SpoolId, 1), (retry.SpoolId, retry.Attempts));
    }

    [Fact]
    public async Task RecordAsync_NotTried_BackInQueueWithoutAttemptOrLogRow()
    {
        await spool.QueuedCampaignAsync("t5", "nt", "not-tried.example", 1);
        var leased = Assert.Single(await spool.Queue.ClaimAsync("not-tried.example", 10, Lease, Token));
        var now = spool.Time.GetUtcNow();

        await spool.Queue.RecordAsync(
            [new AttemptOutcome(leased.SpoolId, MessageState.Deferred, now.AddSeconds(60), "mx:25", 421, "421 4.7.0 Try again later", "defer", now, "server-busy", Tried: false)],
            Token);

        Assert.Equal((short)MessageState.Deferred, await spool.StateOfAsync("nt0@not-tried.example"));
        var status = await spool.Messages.GetAsync("t5", leased.MessageId, Token);
        Assert.Empty(Assert.Single(status!.Recipients).Attempts);
        spool.Time.Advance(TimeSpan.FromSeconds(61));
        var retry = Assert.Single(await spool.Queue.ClaimAsync("not-tried.example", 10, Lease, Token));
        Assert.Equal(0, retry.Attempts);
    }

    [Fact]
    public async Task ClaimAsync_TransactionalBehindBulkBacklog_ClaimedFirst()
    {
        await spool.QueuedCampaignAsync("t7", "bulk", "lane.example", 50);
        spool.Time.Advance(TimeSpan.FromSeconds(5));
        var message = Guid.CreateVersion7();
        await spool.Messages.InsertTransactionalAsync(message, "t7", "{}", [("reset@lane.example", "lane.example")], Guid.CreateVersion7, Token);

        var first = await spool.Queue.ClaimAsync("lane.example", 3, Lease, Token);

        Assert.Equal(3, first.Count);
        Assert.Equal((message, (Guid?)null), (first[0].MessageId, first[0].CampaignId));
        Assert.All(first.Skip(1), m => Assert.NotNull(m.CampaignId));
    }

    [Fact]
    public async Task LanesWaitingAsync_CampaignsOnSeveralDomains_OnePairPerCampaignAndDomainWithWaitingRows()
    {
        var first = await spool.QueuedCampaignAsync("t8", "one", "lanes-a.example", 3);
        var second = await spool.QueuedCampaignAsync("t8", "two", "lanes-a.example", 2);
        var third = await spool.QueuedCampaignAsync("t8", "three", "lanes-b.example", 1);
        var sent = await spool.QueuedCampaignAsync("t8", "four", "lanes-c.example", 1);
        var leased = await spool.Queue.ClaimAsync("lanes-c.example", 10, Lease, Token);
        var now = spool.Time.GetUtcNow();
        await spool.Queue.RecordAsync([new AttemptOutcome(leased[0].SpoolId, MessageState.Delivered, null, "mx:25", 250, "250 ok", "delivered", now)], Token);

        var lanes = await spool.Queue.LanesWaitingAsync(["lanes-a.example", "lanes-b.example", "lanes-c.example", "lanes-a.example"], Token);

        Assert.Equal(new HashSet<(string, Guid)> { ("lanes-a.example", first), ("lanes-a.example", second), ("lanes-b.example", third) }, lanes.ToHashSet());
        Assert.Equal(new[] { "lanes-a.example", "lanes-a.example", "lanes-b.example" }, lanes.Select(l => l.Domain));
        Assert.NotEqual(Guid.Empty, sent);
        Assert.Empty(await spool.Queue.LanesWaitingAsync([], Token));
    }

    [Fact]
    public async Task CountWaitingAsync_QueuedAndDeferred_CountedPerDomainSet()
    {
        await spool.QueuedCampaignAsync("t6", "w", "wait-a.example", 3);
        await spool.QueuedCampaignAsync("t6", "w", "wait-b.example", 2);
        await spool.QueuedCampaignAsync("t6", "w", "wait-c.example", 4);

        Assert.Equal(5, await spool.Queue.CountWaitingAsync(["wait-a.example", "wait-b.example"], Token));
        Assert.Equal(0, await spool.Queue.CountWaitingAsync(["nothing.example"], Token));
    }

    [Fact]
    public async Task DomainsWithDueWorkAsync_QueuedDueAndFutureRows_ListsOnlyDomainsWithDueWork()
    {
        await spool.QueuedCampaignAsync("t4", "due", "due-now.example", 2);
        var later = await spool.QueuedCampaignAsync("t4", "later", "due-later.example", 1);
        var leased = await spool.Queue.ClaimAsync("due-later.example", 10, Lease, Token);
        var now = spool.Time.GetUtcNow();
        await spool.Queue.RecordAsync(
            [new AttemptOutcome(leased[0].SpoolId, MessageState.Deferred, now.AddHours(1), "mx:25", 451, "451 later", "defer", now)], Token);

        var domains = await spool.Queue.DomainsWithDueWorkAsync(Token);

        Assert.Contains("due-now.example", domains);
        Assert.DoesNotContain("due-later.example", domains);
        Assert.NotEqual(Guid.Empty, later);
    }
}
