using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.Storage.Tests;

/// <summary>A fresh database with the whole schema, the spool stores on a fake clock, and helpers to seed rows.</summary>
public sealed class SpoolFixture : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public CampaignSpool Campaigns { get; private set; } = null!;

    public DeliveryQueue Queue { get; private set; } = null!;

    public MessageStore Messages { get; private set; } = null!;

    public SuppressionStore Suppressions { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("spool");
        SchemaMigrator.Apply(connectionString);
        DataSource = NpgsqlDataSource.Create(connectionString);
        Campaigns = new CampaignSpool(DataSource, Time);
        Queue = new DeliveryQueue(DataSource, Time);
        Messages = new MessageStore(DataSource, Time);
        Suppressions = new SuppressionStore(DataSource, Time);
    }

    /// <summary>Rows for addresses <c>{prefix}{i}@{domain}</c>.</summary>
    public SpoolRecipient[] Recipients(string prefix, string domain, int count) =>
        Enumerable.Range(0, count)
            .Select(i => new SpoolRecipient(Guid.CreateVersion7(Time.GetUtcNow()), $"{prefix}{i}@{domain}", $"{prefix}{i}@{domain}".ToLowerInvariant(), domain, null))
            .ToArray();

    /// <summary>A started campaign of <paramref name="count"/> recipients on <paramref name="domain"/>; returns its id.</summary>
    public async Task<Guid> QueuedCampaignAsync(string tenant, string prefix, string domain, int count)
    {
        var campaign = Guid.CreateVersion7();
        await Campaigns.CommitBatchAsync(campaign, tenant, 1, Recipients(prefix, domain, count), TestContext.Current.CancellationToken);
        await Campaigns.QueueDraftsAsync(campaign, TestContext.Current.CancellationToken);
        return campaign;
    }

    public async Task<short> StateOfAsync(string recipient)
    {
        await using var command = DataSource.CreateCommand("SELECT state FROM spool WHERE recipient = $1");
        command.Parameters.Add(new() { Value = recipient });
        return (short)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
}
