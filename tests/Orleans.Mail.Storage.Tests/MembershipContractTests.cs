using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;
using Xunit;

namespace Orleans.Mail.Storage.Tests;

/// <summary>
/// Orleans.Clustering.AdoNet against our schema: the running silo's own row, the client gateway list, and
/// the IMembershipTable contract exercised directly on a cluster id of each test's own.
/// </summary>
[Collection(OrleansContractCollection.Name)]
public sealed class MembershipContractTests(OrleansContractFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTime Epoch = new(2026, 3, 1, 12, 0, 0, 123, DateTimeKind.Utc);

    [Fact]
    public async Task SiloStartup_AdoNetClustering_WritesActiveRowWithGatewayPort()
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT m.status, m.proxy_port, m.host_name, v.version
              FROM orleans_membership m
              JOIN orleans_membership_version v USING (deployment_id)
             WHERE m.deployment_id = @cluster AND m.address = '127.0.0.1' AND m.port = @port
            """,
            connection);
        command.Parameters.AddWithValue("cluster", OrleansContractFixture.ClusterId);
        command.Parameters.AddWithValue("port", fixture.SiloPort);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);

        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken), "the silo has no membership row");
        Assert.Equal((int)SiloStatus.Active, reader.GetInt32(0));
        Assert.Equal(fixture.GatewayPort, reader.GetInt32(1));
        Assert.Equal(Dns.GetHostName(), reader.GetString(2));
        // Joining (insert) and Active (update) each moved the version on.
        Assert.True(reader.GetInt32(3) >= 2, $"cluster version is {reader.GetInt32(3)}");
        Assert.False(await reader.ReadAsync(TestContext.Current.CancellationToken), "one silo, one row");
    }

    [Fact]
    public async Task GatewayListProvider_ClientSide_ReturnsTheSilosGateway()
    {
        var provider = fixture.ClientServices.GetRequiredService<IGatewayListProvider>();

        var gateways = await provider.GetGatewaysAsync(Ct);

        var gateway = Assert.Single(gateways);
        Assert.Equal("127.0.0.1", gateway.Host);
        Assert.Equal(fixture.GatewayPort, gateway.Port);
    }

    [Fact]
    public async Task ReadAll_NewCluster_ReturnsVersionZeroAndNoSilos()
    {
        var table = await NewTableAsync();

        var data = await table.ReadAllAsync(Ct);

        Assert.Equal(0, data.Version.Version);
        Assert.Equal("0", data.Version.VersionEtag);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task InsertRow_CurrentVersion_RowIsReadBackAndVersionMovesOn()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(port: 41001, SiloStatus.Joining);

        var inserted = await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct);

        Assert.True(inserted);
        var all = await table.ReadAllAsync(Ct);
        Assert.Equal(1, all.Version.Version);
        var (read, _) = Assert.Single(all.Members);
        AssertSameEntry(entry, read);
        var row = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(1, row.Version.Version);
        AssertSameEntry(entry, Assert.Single(row.Members).Item1);
    }

    [Fact]
    public async Task InsertRow_StaleVersion_ReturnsFalseAndChangesNothing()
    {
        var table = await NewTableAsync();
        var stale = (await table.ReadAllAsync(Ct)).Version;
        Assert.True(await table.InsertRowAsync(NewEntry(port: 41011, SiloStatus.Joining), stale.Next(), Ct));

        var inserted = await table.InsertRowAsync(NewEntry(port: 41012, SiloStatus.Joining), stale.Next(), Ct);

        Assert.False(inserted);
        var all = await table.ReadAllAsync(Ct);
        Assert.Equal(1, all.Version.Version);
        Assert.Equal(41011, Assert.Single(all.Members).Item1.SiloAddress.Endpoint.Port);
    }

    [Fact]
    public async Task InsertRow_ConcurrentSilosWithSameVersion_ExactlyOneSucceeds()
    {
        var table = await NewTableAsync();
        var next = (await table.ReadAllAsync(Ct)).Version.Next();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => table.InsertRowAsync(NewEntry(port: 41201 + i, SiloStatus.Joining), next, Ct)));

        Assert.Equal(1, outcomes.Count(inserted => inserted));
        var all = await table.ReadAllAsync(Ct);
        Assert.Equal(1, all.Version.Version);
        Assert.Single(all.Members);
    }

    [Fact]
    public async Task InsertRow_SameSiloTwice_SecondReturnsFalseAndKeepsVersion()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(port: 41021, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        var again = await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct);

        Assert.False(again);
        var all = await table.ReadAllAsync(Ct);
        Assert.Equal(1, all.Version.Version);
        Assert.Single(all.Members);
    }

    [Fact]
    public async Task UpdateRow_CurrentVersion_ReplacesStatusSuspicionsAndHeartbeat()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(port: 41031, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var (read, etag) = (await table.ReadRowAsync(entry.SiloAddress, Ct)).Members[0];
        var suspecter = SiloAddress.New(IPAddress.Loopback, 41099, 3);
        read.Status = SiloStatus.Active;
        read.IAmAliveTime = Epoch.AddMinutes(5);
        read.SuspectTimes = [Tuple.Create(suspecter, Epoch.AddMinutes(4))];

        var updated = await table.UpdateRowAsync(read, etag, (await table.ReadAllAsync(Ct)).Version.Next(), Ct);

        Assert.True(updated);
        var after = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(2, after.Version.Version);
        var stored = Assert.Single(after.Members).Item1;
        Assert.Equal(SiloStatus.Active, stored.Status);
        Assert.Equal(Epoch.AddMinutes(5), stored.IAmAliveTime);
        Assert.NotNull(stored.SuspectTimes);
        var (suspectingSilo, suspectedAt) = Assert.Single(stored.SuspectTimes);
        Assert.Equal(suspecter, suspectingSilo);
        Assert.Equal(Epoch.AddMinutes(4), suspectedAt);
        Assert.Equal(entry.StartTime, stored.StartTime);
    }

    [Fact]
    public async Task UpdateRow_StaleVersion_ReturnsFalseAndKeepsRow()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(port: 41041, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var seen = await table.ReadAllAsync(Ct);
        var (first, etag) = seen.Members[0];
        first.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(first, etag, seen.Version.Next(), Ct));
        first.Status = SiloStatus.Dead;

        var updated = await table.UpdateRowAsync(first, etag, seen.Version.Next(), Ct);

        Assert.False(updated);
        var after = await table.ReadAllAsync(Ct);
        Assert.Equal(2, after.Version.Version);
        Assert.Equal(SiloStatus.Active, Assert.Single(after.Members).Item1.Status);
    }

    [Fact]
    public async Task UpdateRow_SiloWithoutRow_ReturnsFalseAndKeepsVersion()
    {
        var table = await NewTableAsync();

        var updated = await table.UpdateRowAsync(NewEntry(port: 41051, SiloStatus.Active), "", (await table.ReadAllAsync(Ct)).Version.Next(), Ct);

        Assert.False(updated);
        Assert.Equal(0, (await table.ReadAllAsync(Ct)).Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_ExistingSilo_ChangesOnlyTheHeartbeat()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(port: 41061, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var heartbeat = NewEntry(port: 41061, SiloStatus.Dead);
        heartbeat.IAmAliveTime = Epoch.AddHours(1);

        await table.UpdateIAmAliveAsync(heartbeat, Ct);

        var after = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(1, after.Version.Version);
        var stored = Assert.Single(after.Members).Item1;
        Assert.Equal(Epoch.AddHours(1), stored.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, stored.Status);
    }

    [Fact]
    public async Task ReadRow_UnknownSilo_ReturnsVersionWithoutEntries()
    {
        var table = await NewTableAsync();
        Assert.True(await table.InsertRowAsync(NewEntry(port: 41071, SiloStatus.Active), (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        var row = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 41072, 1), Ct);

        Assert.Equal(1, row.Version.Version);
        Assert.Empty(row.Members);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_MixedSilos_RemovesOnlyDeadSilosSilentBeforeCutoff()
    {
        var table = await NewTableAsync();
        var longDead = NewEntry(port: 41081, SiloStatus.Dead);
        var recentlyDead = NewEntry(port: 41082, SiloStatus.Dead);
        recentlyDead.IAmAliveTime = Epoch.AddHours(3);
        var silentButActive = NewEntry(port: 41083, SiloStatus.Active);
        foreach (var entry in new[] { longDead, recentlyDead, silentButActive })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Epoch.AddHours(2)), Ct);

        var ports = (await table.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order().ToArray();
        Assert.Equal(new[] { 41082, 41083 }, ports);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntriesKey_StoredBulkQuery_RemovesOnlyDeadSilosSilentBeforeCutoff()
    {
        // Orleans 10.4 prefers CleanupDefunctSiloEntryKey when present, so run the required bulk query
        // from the query store directly, with the parameters the provider binds.
        var clusterId = $"bulk-{Guid.NewGuid():N}";
        var table = await NewTableAsync(clusterId);
        var longDead = NewEntry(port: 41091, SiloStatus.Dead);
        var recentlyDead = NewEntry(port: 41092, SiloStatus.Dead);
        recentlyDead.IAmAliveTime = Epoch.AddHours(3);
        var silentButActive = NewEntry(port: 41093, SiloStatus.Active);
        foreach (var entry in new[] { longDead, recentlyDead, silentButActive })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        }

        var sql = await fixture.ScalarAsync<string>("SELECT querytext FROM orleansquery WHERE querykey = 'CleanupDefunctSiloEntriesKey'");
        await using (var connection = await fixture.OpenAsync())
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.AddWithValue("DeploymentId", clusterId);
            command.Parameters.AddWithValue("IAmAliveTime", Epoch.AddHours(2));
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        var ports = (await table.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order().ToArray();
        Assert.Equal(new[] { 41092, 41093 }, ports);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_OneCluster_RemovesItsVersionAndSilosOnly()
    {
        var clusterId = $"doomed-{Guid.NewGuid():N}";
        var table = await NewTableAsync(clusterId);
        Assert.True(await table.InsertRowAsync(NewEntry(port: 41101, SiloStatus.Active), (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        await table.DeleteMembershipTableEntriesAsync(clusterId, Ct);

        Assert.Equal(0L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM orleans_membership_version WHERE deployment_id = @id", ("id", clusterId)));
        Assert.Equal(0L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = @id", ("id", clusterId)));
        Assert.Equal(1L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = @id", ("id", OrleansContractFixture.ClusterId)));
    }

    [Fact]
    public async Task InitializeMembershipTable_CalledAgain_KeepsExistingVersion()
    {
        var clusterId = $"again-{Guid.NewGuid():N}";
        var table = await NewTableAsync(clusterId);
        Assert.True(await table.InsertRowAsync(NewEntry(port: 41111, SiloStatus.Active), (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        var second = await NewTableAsync(clusterId);

        var data = await second.ReadAllAsync(Ct);
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);
    }

    private async Task<AdoNetClusteringTable> NewTableAsync(string? clusterId = null)
    {
        var table = new AdoNetClusteringTable(
            fixture.SiloServices,
            Options.Create(new ClusterOptions { ClusterId = clusterId ?? $"direct-{Guid.NewGuid():N}", ServiceId = OrleansContractFixture.ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansContractFixture.Invariant, ConnectionString = fixture.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        return table;
    }

    private static MembershipEntry NewEntry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 17),
        SiloName = $"silo-{port}",
        HostName = "contract-host",
        Status = status,
        ProxyPort = port + 1000,
        StartTime = Epoch,
        IAmAliveTime = Epoch.AddMinutes(1),
    };

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.True(actual.SuspectTimes is null or { Count: 0 }, "no suspicion votes were written");
    }
}
