using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Mail.TestSupport;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;
using Xunit;

namespace Orleans.Mail.Storage.Tests;

/// <summary>
/// The Orleans part of our schema as a whole: the scripts run once and in order, and the query store holds
/// every key the installed provider versions demand (taken from the providers themselves, so an Orleans
/// upgrade that needs a new query fails here first).
/// </summary>
public sealed class OrleansSchemaTests
{
    private static readonly string[] OrleansScripts =
    [
        "0001_orleans_query_store.sql",
        "0002_orleans_clustering.sql",
        "0003_orleans_persistence.sql",
        "0004_orleans_reminders.sql",
    ];

    [Fact]
    public async Task Apply_FreshDatabase_RunsOrleansScriptsOnceInNameOrder()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("contract");

        var first = SchemaMigrator.Apply(connectionString);
        var second = SchemaMigrator.Apply(connectionString);

        var orleans = first.Where(name => name.Contains("_orleans_", StringComparison.Ordinal)).ToArray();
        Assert.Equal(OrleansScripts.Length, orleans.Length);
        for (var i = 0; i < OrleansScripts.Length; i++)
        {
            Assert.EndsWith(OrleansScripts[i], orleans[i], StringComparison.Ordinal);
        }

        Assert.Empty(second);
    }

    [Fact]
    public async Task QueryStore_AfterApply_HoldsEveryKeyTheProvidersRead()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("contract");
        SchemaMigrator.Apply(connectionString);
        var required = RequiredQueryKeys(typeof(AdoNetClusteringTable).Assembly, "Orleans.Clustering.AdoNet.Storage.DbStoredQueries")
            .Concat(RequiredQueryKeys(typeof(AdoNetReminderTableOptions).Assembly, "Orleans.Reminders.AdoNet.Storage.DbStoredQueries"))
            .Concat(Regex.Matches(AdoNetGrainStorage.DefaultInitializationQuery, @"'(\w+Key)'").Select(m => m.Groups[1].Value))
            // Optional in Orleans 10.4 (it falls back to CleanupDefunctSiloEntriesKey); we provide it.
            .Append("CleanupDefunctSiloEntryKey")
            .ToHashSet();

        var stored = new HashSet<string>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            // The very statement the providers issue, unquoted names and all.
            await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                stored.Add(reader.GetString(reader.GetOrdinal("QueryKey")));
                Assert.False(string.IsNullOrWhiteSpace(reader.GetString(reader.GetOrdinal("QueryText"))));
            }
        }

        Assert.True(required.Count >= 21, $"expected the provider keys, found only {required.Count}");
        Assert.Empty(required.Except(stored).Order());
    }

    // The provider's DbStoredQueries refuses to start unless a row exists for each of its non-public
    // instance properties; their names are the keys.
    private static IEnumerable<string> RequiredQueryKeys(Assembly assembly, string typeName) =>
        assembly.GetType(typeName, throwOnError: true)!
            .GetProperties(BindingFlags.Instance | BindingFlags.NonPublic)
            .Select(p => p.Name);
}
