using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Mail.TestSupport;
using Xunit;

namespace Orleans.Mail.Storage.Tests;

/// <summary>
/// One fresh database with our schema, one real silo that uses Orleans' ADO.NET clustering, grain storage
/// and reminders against it (invariant "Npgsql"), and one real client that finds the silo's gateway
/// through the ADO.NET gateway list. Shared by the classes of <see cref="OrleansContractCollection"/>.
/// </summary>
public sealed class OrleansContractFixture : IAsyncLifetime
{
    public const string Invariant = "Npgsql";
    public const string ClusterId = "contract-cluster";
    public const string ServiceId = "contract-service";

    /// <summary>Grain storage that keeps a cleared row (payload NULL) and its version.</summary>
    public const string StorageName = "contract-store";

    /// <summary>Grain storage configured with DeleteStateOnClear, so clearing removes the row.</summary>
    public const string DeletingStorageName = "contract-store-deleting";

    private IHost? _silo;
    private IHost? _client;

    public string ConnectionString { get; private set; } = "";

    public int SiloPort { get; private set; }

    public int GatewayPort { get; private set; }

    public IServiceProvider SiloServices => (_silo ?? throw new InvalidOperationException("Silo not started.")).Services;

    public IServiceProvider ClientServices => (_client ?? throw new InvalidOperationException("Client not started.")).Services;

    public IClusterClient Client => ClientServices.GetRequiredService<IClusterClient>();

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("contract");
        SchemaMigrator.Apply(ConnectionString);

        SiloPort = FreeLoopbackPort();
        GatewayPort = FreeLoopbackPort();
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(45));

        var siloBuilder = NewHostBuilder();
        siloBuilder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, SiloPort, GatewayPort);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                o.MaxJoinAttemptTime = TimeSpan.FromSeconds(20);
            });
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = ConnectionString;
            });
            silo.AddAdoNetGrainStorage(StorageName, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = ConnectionString;
            });
            silo.AddAdoNetGrainStorage(DeletingStorageName, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = ConnectionString;
                o.DeleteStateOnClear = true;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = ConnectionString;
            });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        _silo = siloBuilder.Build();
        await _silo.StartAsync(startup.Token);

        var clientBuilder = NewHostBuilder();
        clientBuilder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = ConnectionString;
            });
        });
        _client = clientBuilder.Build();
        await _client.StartAsync(startup.Token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in new[] { _client, _silo })
        {
            if (host is null)
            {
                continue;
            }

            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            finally
            {
                host.Dispose();
            }
        }
    }

    /// <summary>Opens a connection to the fixture's database for checks made in plain SQL.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>Runs a scalar query with named parameters against the fixture's database.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var result = await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return result is null or DBNull ? default : (T)result;
    }

    private static HostApplicationBuilder NewHostBuilder()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("ORLEANS_MAIL_TEST_LOG") == "1")
        {
            builder.Logging.AddConsole();
        }

        return builder;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The Orleans contract test classes share one silo and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class OrleansContractCollection : ICollectionFixture<OrleansContractFixture>
{
    public const string Name = "Orleans ADO.NET contract";
}
