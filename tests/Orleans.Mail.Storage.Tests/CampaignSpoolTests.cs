namespace Orleans.Mail.Storage.Tests;

public sealed class CampaignSpoolTests(SpoolFixture spool) : IClassFixture<SpoolFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CommitBatchAsync_SameBatchNumberTwice_SecondIsReplayWithStoredCountsAndNoNewRows()
    {
        var campaign = Guid.CreateVersion7();
        var first = await spool.Campaigns.CommitBatchAsync(campaign, "t1", 7, spool.Recipients("replay", "a.example", 5), Token);
        var again = await spool.Campaigns.CommitBatchAsync(campaign, "t1", 7, spool.Recipients("other", "a.example", 3), Token);

        Assert.Equal((5, false), (first.Accepted, first.Replayed));
        Assert.Equal((5, true), (again.Accepted, again.Replayed));
        var (counts, _, _, _) = await spool.Campaigns.CountAsync(campaign, TimeSpan.FromSeconds(10), Token);
        Assert.Equal(5, counts[MessageState.Draft]);
    }

    [Fact]
    public async Task CommitBatchAsync_AddressAlreadyInCampaignInOtherCase_ReportedAsDuplicateByIndex()
    {
        var campaign = Guid.CreateVersion7();
        await spool.Campaigns.CommitBatchAsync(campaign, "t1", 1, spool.Recipients("dup", "b.example", 2), Token);
        var now = spool.Time.GetUtcNow();
        SpoolRecipient[] second =
        [
            new(Guid.CreateVersion7(now), "new@b.example", "new@b.example", "b.example", null),
            new(Guid.CreateVersion7(now), "DUP1@B.example", "dup1@b.example", "b.example", null),
            new(Guid.CreateVersion7(now), "new@b.example", "new@b.example", "b.example", null),
        ];

        var result = await spool.Campaigns.CommitBatchAsync(campaign, "t1", 2, second, Token);

        Assert.Equal(1, result.Accepted);
        Assert.Equal([1, 2], result.DuplicateIndexes);
    }

    [Fact]
    public async Task QueueDraftsAsync_StartedCampaign_MovesEveryDraftToQueued()
    {
        var campaign = await spool.QueuedCampaignAsync("t1", "start", "c.example", 4);

        var (counts, _, _, _) = await spool.Campaigns.CountAsync(campaign, TimeSpan.FromSeconds(10), Token);

        Assert.Equal(4, counts[MessageState.Queued]);
        Assert.False(counts.ContainsKey(MessageState.Draft));
    }

    [Fact]
    public async Task CommitBatchAsync_BatchesSharingAddressesInOppositeOrderAtOnce_NoDeadlockAndEachAddressStoredOnce()
    {
        // A stream commits several batches at once; two that share addresses, listed in opposite orders, would
        // take the unique index's entries in opposite orders (a deadlock) unless rows go in by key.
        for (var round = 0; round < 5; round++)
        {
            var campaign = Guid.CreateVersion7();
            var shared = spool.Recipients($"shared{round}-", "e.example", 2000);
            var forward = shared.Concat(spool.Recipients($"only-a{round}-", "e.example", 500)).ToArray();
            var backward = shared.Reverse().Select(r => r with { Id = Guid.CreateVersion7(spool.Time.GetUtcNow()) })
                .Concat(spool.Recipients($"only-b{round}-", "e.example", 500)).ToArray();

            var results = await Task.WhenAll(
                spool.Campaigns.CommitBatchAsync(campaign, "t1", 1, forward, Token),
                spool.Campaigns.CommitBatchAsync(campaign, "t1", 2, backward, Token));

            Assert.Equal(3000, results.Sum(r => r.Accepted));
            Assert.Equal(2000, results.Sum(r => r.DuplicateIndexes.Count));
            var (counts, _, _, _) = await spool.Campaigns.CountAsync(campaign, TimeSpan.FromSeconds(10), Token);
            Assert.Equal(3000, counts[MessageState.Draft]);
        }
    }

    [Fact]
    public async Task QueueDraftsAsync_MoreDraftsThanTwoChunksOfTwoMovers_QueuesEveryOneExactlyOnce()
    {
        var campaign = Guid.CreateVersion7();
        for (var batch = 0; batch < 9; batch++)
        {
            await spool.Campaigns.CommitBatchAsync(campaign, "t1", batch, spool.Recipients($"many{batch}-", "f.example", 5000), Token);
        }

        var queued = await spool.Campaigns.QueueDraftsAsync(campaign, Token);

        Assert.Equal(45_000, queued);
        var (counts, _, _, _) = await spool.Campaigns.CountAsync(campaign, TimeSpan.FromSeconds(10), Token);
        Assert.Equal(45_000, counts[MessageState.Queued]);
        Assert.False(counts.ContainsKey(MessageState.Draft));
        Assert.Equal(0, await spool.Campaigns.QueueDraftsAsync(campaign, Token));
    }

    [Fact]
    public async Task ListAsync_PagesOfTwo_WalkEveryMessageOnceInIdOrder()
    {
        var campaign = Guid.CreateVersion7();
        await spool.Campaigns.CommitBatchAsync(campaign, "t1", 1, spool.Recipients("page", "d.example", 5), Token);
        var seen = new List<string>();
        var ids = new List<Guid>();
        Guid? after = null;
        for (var i = 0; i < 10; i++)
        {
            var page = await spool.Campaigns.ListAsync(campaign, MessageState.Draft, after, 2, Token);
            seen.AddRange(page.Messages.Select(m => m.Recipient));
            ids.AddRange(page.Messages.Select(m => m.Id));
            after = page.NextAfter;
            if (after is null)
            {
                break;
            }
        }

        // Ids made in the same millisecond order by their random bits, so compare the set and the id order.
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"page{i}@d.example"), seen.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Order(), ids);
    }
}
