using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Xunit;

namespace Orleans.Mail.Storage.Tests;

/// <summary>
/// Orleans.Reminders.AdoNet against our schema: a real grain's reminder is stored and fires, and the
/// IReminderTable contract (upsert, reads by grain, by name and by hash range, ETag-checked removal).
/// </summary>
[Collection(OrleansContractCollection.Name)]
public sealed class ReminderContractTests(OrleansContractFixture fixture)
{
    // Far in the future: rows written directly must never fire for their made-up grains.
    private static readonly DateTime FarFuture = new(2099, 1, 1, 8, 30, 15, 250, DateTimeKind.Utc);

    private IReminderTable Table => fixture.SiloServices.GetRequiredService<IReminderTable>();

    [Fact]
    public async Task RegisterOrUpdateReminder_OneSecondPeriod_RowIsStoredAndReminderFires()
    {
        var grainKey = $"reminder-{Guid.NewGuid():N}";
        var grain = fixture.Client.GetGrain<IContractReminderGrain>(grainKey);

        await grain.StartAsync("tick", TimeSpan.FromSeconds(1));

        var grainId = grain.GetGrainId();
        Assert.Equal(1000L, await fixture.ScalarAsync<long>(
            "SELECT period_ms FROM orleans_reminder WHERE service_id = @s AND grain_id = @g AND reminder_name = 'tick'",
            ("s", OrleansContractFixture.ServiceId), ("g", grainId.ToString())));
        Assert.Equal((int)grainId.GetUniformHashCode(), await fixture.ScalarAsync<int>(
            "SELECT grain_hash FROM orleans_reminder WHERE service_id = @s AND grain_id = @g",
            ("s", OrleansContractFixture.ServiceId), ("g", grainId.ToString())));

        var ticks = 0;
        var clock = Stopwatch.StartNew();
        while (ticks < 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            ticks = await grain.GetTicksAsync("tick");
        }

        Assert.True(ticks >= 2, $"reminder fired {ticks} times in {clock.Elapsed.TotalSeconds:F1} s");

        await grain.StopAsync("tick");
        Assert.Equal(0L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM orleans_reminder WHERE service_id = @s AND grain_id = @g",
            ("s", OrleansContractFixture.ServiceId), ("g", grainId.ToString())));
    }

    [Fact]
    public async Task UpsertRow_NewThenChanged_ReadRowReturnsLatestScheduleAndNewETag()
    {
        var grainId = FakeGrainId();
        var entry = NewEntry(grainId, "daily", TimeSpan.FromDays(1));

        var firstETag = await UpsertAsync(entry);
        var first = await Table.ReadRow(grainId, "daily", Ct);

        Assert.NotNull(first);
        Assert.Equal(grainId, first.GrainId);
        Assert.Equal("daily", first.ReminderName);
        Assert.Equal(FarFuture, first.StartAt);
        Assert.Equal(TimeSpan.FromDays(1), first.Period);
        Assert.Equal(firstETag, first.ETag);

        entry.Period = TimeSpan.FromHours(6);
        entry.StartAt = FarFuture.AddDays(1);
        var secondETag = await UpsertAsync(entry);
        var second = await Table.ReadRow(grainId, "daily", Ct);

        Assert.NotEqual(firstETag, secondETag);
        Assert.NotNull(second);
        Assert.Equal(secondETag, second.ETag);
        Assert.Equal(TimeSpan.FromHours(6), second.Period);
        Assert.Equal(FarFuture.AddDays(1), second.StartAt);
        await Table.RemoveRow(grainId, "daily", secondETag, Ct);
    }

    [Fact]
    public async Task UpsertRow_PeriodBeyondInt32Milliseconds_RoundTrips()
    {
        var grainId = FakeGrainId();
        var period = TimeSpan.FromDays(60); // 5 184 000 000 ms: the provider binds it as a 64-bit value

        var etag = await UpsertAsync(NewEntry(grainId, "bimonthly", period));

        var read = await Table.ReadRow(grainId, "bimonthly", Ct);
        Assert.NotNull(read);
        Assert.Equal(period, read.Period);
        await Table.RemoveRow(grainId, "bimonthly", etag, Ct);
    }

    [Fact]
    public async Task ReadRows_ByGrain_ReturnsOnlyThatGrainsReminders()
    {
        var grainId = FakeGrainId();
        var other = FakeGrainId();
        var etags = new[]
        {
            await UpsertAsync(NewEntry(grainId, "a", TimeSpan.FromHours(1))),
            await UpsertAsync(NewEntry(grainId, "b", TimeSpan.FromHours(2))),
        };
        var otherETag = await UpsertAsync(NewEntry(other, "a", TimeSpan.FromHours(3)));

        var rows = await Table.ReadRows(grainId, Ct);

        Assert.Equal(new[] { "a", "b" }, rows.Reminders.Select(r => r.ReminderName).Order().ToArray());
        Assert.All(rows.Reminders, r => Assert.Equal(grainId, r.GrainId));
        await Table.RemoveRow(grainId, "a", etags[0], Ct);
        await Table.RemoveRow(grainId, "b", etags[1], Ct);
        await Table.RemoveRow(other, "a", otherETag, Ct);
    }

    [Fact]
    public async Task ReadRow_UnknownReminder_ReturnsNull()
    {
        var read = await Table.ReadRow(FakeGrainId(), "never-registered", Ct);

        Assert.Null(read);
    }

    [Fact]
    public async Task RemoveRow_StaleETag_ReturnsFalseAndKeepsRow_CurrentETagRemovesIt()
    {
        var grainId = FakeGrainId();
        var entry = NewEntry(grainId, "weekly", TimeSpan.FromDays(7));
        var stale = await UpsertAsync(entry);
        var current = await UpsertAsync(entry);

        var removedWithStale = await Table.RemoveRow(grainId, "weekly", stale, Ct);

        Assert.False(removedWithStale);
        Assert.NotNull(await Table.ReadRow(grainId, "weekly", Ct));
        Assert.True(await Table.RemoveRow(grainId, "weekly", current, Ct));
        Assert.Null(await Table.ReadRow(grainId, "weekly", Ct));
        Assert.False(await Table.RemoveRow(grainId, "weekly", current, Ct));
    }

    [Fact]
    public async Task ReadRows_HashRanges_ReturnRemindersInsideTheRingSegment()
    {
        // Three grains ordered by their hash as the provider compares it (signed 32-bit).
        var grains = Enumerable.Range(0, 3).Select(_ => FakeGrainId())
            .OrderBy(g => (int)g.GetUniformHashCode())
            .ToArray();
        var etags = new List<string>();
        foreach (var grain in grains)
        {
            etags.Add(await UpsertAsync(NewEntry(grain, "ranged", TimeSpan.FromHours(1))));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).ToArray();

        // (h0, h2] does not wrap: h1 and h2.
        var straight = await Table.ReadRows(hashes[0], hashes[2], Ct);
        // (h1, h0] wraps around the top of the ring: h2 and h0.
        var wrapped = await Table.ReadRows(hashes[1], hashes[0], Ct);

        Assert.Equal(new[] { grains[1], grains[2] }, Mine(straight));
        Assert.Equal(new[] { grains[0], grains[2] }, Mine(wrapped));
        for (var i = 0; i < grains.Length; i++)
        {
            Assert.True(await Table.RemoveRow(grains[i], "ranged", etags[i], Ct));
        }

        GrainId[] Mine(ReminderTableData data) => data.Reminders
            .Where(r => grains.Contains(r.GrainId))
            .Select(r => r.GrainId)
            .OrderBy(g => (int)g.GetUniformHashCode())
            .ToArray();
    }

    private async Task<string> UpsertAsync(ReminderEntry entry)
    {
        var etag = await Table.UpsertRow(entry, Ct);
        Assert.False(string.IsNullOrEmpty(etag), "an upsert must answer the new ETag");
        return etag;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GrainId FakeGrainId() => GrainId.Create("contract-reminder-fake", Guid.NewGuid().ToString("N"));

    private static ReminderEntry NewEntry(GrainId grainId, string name, TimeSpan period) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        StartAt = FarFuture,
        Period = period,
    };
}
