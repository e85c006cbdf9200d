using Grpc.Net.Client;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Cli;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// A whole engine on loopback, every part real: a fresh PostgreSQL database, a Postfix smtp-sink as the
/// smarthost, one silo and one gateway as processes. Retries, leases and membership timings are short so
/// that failure tests run in seconds.
/// </summary>
public sealed class MailCluster : IAsyncLifetime
{
    public const string ApiKey = "test-key";
    public const string OtherTenantKey = "other-key";
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The public unsubscribe base URL put in List-Unsubscribe (the test posts to <see cref="PublicPort"/> instead).</summary>
    public const string UnsubscribeBaseUrl = "https://unsub.e2e.orleans-mail.test";

    /// <summary>The HMAC key shared by silo and gateway for one-click unsubscribe tokens.</summary>
    public const string UnsubscribeSecret = "e2e-unsubscribe-secret-0123456789abcdef";

    private readonly Dictionary<string, string> _siloEnvironment = [];
    private EngineProcess? _silo;
    private readonly List<EngineProcess> _extraSilos = [];
    private readonly List<int> _extraSiloPorts = [];
    private EngineProcess? _gateway;
    private GrpcChannel? _channel;
    private GrpcChannel? _otherChannel;

    public string ConnectionString { get; private set; } = string.Empty;

    public SmtpSink Sink { get; } = new(FreePort.Next());

    public int SiloPort { get; } = FreePort.Next();

    public int SiloGatewayPort { get; } = FreePort.Next();

    public int GrpcPort { get; } = FreePort.Next();

    public int AdminPort { get; } = FreePort.Next();

    /// <summary>The gateway's public port (one-click unsubscribe, HTTP/1.1 and HTTP/2, no API key).</summary>
    public int PublicPort { get; } = FreePort.Next();

    /// <summary>When false the receiver is not started with the cluster (durability tests start it later).</summary>
    public bool StartReceiver { get; init; } = true;

    /// <summary>When false there is no smarthost: domains are routed by MX look-ups (configure DNS in <see cref="ConfigureSilo"/>).</summary>
    public bool UseSmarthost { get; init; } = true;

    /// <summary>Silos started besides the first (same database and cluster, their own ports). Default 0.</summary>
    public int ExtraSilos { get; init; }

    /// <summary>Extra silo settings (environment variables) applied last.</summary>
    public Action<Dictionary<string, string>>? ConfigureSilo { get; init; }

    public CampaignService.CampaignServiceClient Campaigns => new(_channel!);

    public MessageService.MessageServiceClient Messages => new(_channel!);

    public CampaignService.CampaignServiceClient OtherTenantCampaigns => new(_otherChannel!);

    public MessageService.MessageServiceClient OtherTenantMessages => new(_otherChannel!);

    public GrpcChannel Channel => _channel!;

    public GrpcChannel OtherTenantChannel => _otherChannel!;

    public string AdminPassword => "admin-password-for-tests";

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("e2e");
        if (StartReceiver)
        {
            await Sink.StartAsync();
        }

        _siloEnvironment["ConnectionStrings__Spool"] = ConnectionString;
        _siloEnvironment["Silo__SiloPort"] = SiloPort.ToString();
        _siloEnvironment["Silo__GatewayPort"] = SiloGatewayPort.ToString();
        _siloEnvironment["Silo__ClusterId"] = "e2e";
        _siloEnvironment["Silo__ServiceId"] = "e2e";
        if (UseSmarthost)
        {
            _siloEnvironment["Routing__Smarthost"] = Sink.Endpoint;
        }

        _siloEnvironment["Smtp__LoopbackOnly"] = "true";
        _siloEnvironment["Smtp__EhloName"] = "e2e.orleans-mail.test";
        _siloEnvironment["Smtp__MessageIdDomain"] = "e2e.orleans-mail.test";
        _siloEnvironment["Smtp__ConnectTimeoutMs"] = "2000";
        _siloEnvironment["Retry__IntervalsSeconds__0"] = "1";
        _siloEnvironment["Retry__IntervalsSeconds__1"] = "1";
        _siloEnvironment["Retry__IntervalsSeconds__2"] = "2";
        _siloEnvironment["Retry__TransactionalIntervalsSeconds__0"] = "1";
        _siloEnvironment["Retry__TransactionalIntervalsSeconds__1"] = "2";
        _siloEnvironment["Retry__JitterPercent"] = "0";
        _siloEnvironment["Pacing__LeaseSeconds"] = "8";
        _siloEnvironment["Pacing__DispatchIntervalMs"] = "250";
        _siloEnvironment["Orleans__Membership__ProbeTimeout"] = "00:00:01";
        _siloEnvironment["Orleans__Membership__NumMissedProbesLimit"] = "2";
        _siloEnvironment["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:02";
        _siloEnvironment["Orleans__Membership__NumMissedTableIAmAliveLimit"] = "2";
        _siloEnvironment["Orleans__Membership__ValidateInitialConnectivity"] = "false";
        _siloEnvironment["Orleans__Membership__DeathVoteExpirationTimeout"] = "00:00:05";
        _siloEnvironment["Logging__LogLevel__Default"] = "Warning";
        _siloEnvironment["Unsubscribe__BaseUrl"] = UnsubscribeBaseUrl;
        _siloEnvironment["Unsubscribe__Secret"] = UnsubscribeSecret;
        ConfigureSilo?.Invoke(_siloEnvironment);
        await StartSiloAsync();
        await Task.WhenAll(Enumerable.Range(0, ExtraSilos).Select(_ => StartExtraSiloAsync()));

        _gateway = await EngineProcess.StartAsync(RepositoryPaths.GatewayDll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Cluster"] = ConnectionString,
            ["Gateway__GrpcPort"] = GrpcPort.ToString(),
            ["Gateway__AdminPort"] = AdminPort.ToString(),
            ["Gateway__PublicPort"] = PublicPort.ToString(),
            ["Unsubscribe__BaseUrl"] = UnsubscribeBaseUrl,
            ["Unsubscribe__Secret"] = UnsubscribeSecret,
            ["Gateway__ClusterId"] = "e2e",
            ["Gateway__ServiceId"] = "e2e",
            ["Gateway__AdminUser"] = "admin",
            ["Gateway__AdminPassword"] = AdminPassword,
            ["Gateway__MaxMessageBytes"] = MaxMessageBytes.ToString(),
            ["Gateway__OperatorTenants__0"] = "tenant-a",
            [$"Gateway__ApiKeys__{ApiKey}"] = "tenant-a",
            [$"Gateway__ApiKeys__{OtherTenantKey}"] = "tenant-b",
            ["Logging__LogLevel__Default"] = "Warning",
        }, GrpcPort, TimeSpan.FromSeconds(90));
        _channel = GatewayConnection.Open($"http://127.0.0.1:{GrpcPort}", ApiKey);
        _otherChannel = GatewayConnection.Open($"http://127.0.0.1:{GrpcPort}", OtherTenantKey);
    }

    /// <summary>
    /// A cluster of its own whose silos send everything to <paramref name="smarthost"/> (a test's own receiver,
    /// <c>host:port</c>) instead of the shared sink; <paramref name="configure"/> adds silo settings.
    /// </summary>
    public static async Task<MailCluster> StartWithSmarthostAsync(
        string smarthost, Action<Dictionary<string, string>>? configure = null, int extraSilos = 0)
    {
        var cluster = new MailCluster
        {
            UseSmarthost = false,
            StartReceiver = false,
            ExtraSilos = extraSilos,
            ConfigureSilo = env =>
            {
                env["Routing__Smarthost"] = smarthost;
                configure?.Invoke(env);
            },
        };
        try
        {
            await cluster.InitializeAsync();
        }
        catch
        {
            // Stop whatever did start before handing the failure on.
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts a silo (again, after <see cref="KillSiloAsync"/>) with the same configuration and ports.</summary>
    public async Task StartSiloAsync() =>
        _silo = await EngineProcess.StartAsync(RepositoryPaths.SiloDll, _siloEnvironment, SiloGatewayPort, TimeSpan.FromSeconds(90));

    private async Task StartExtraSiloAsync()
    {
        var environment = new Dictionary<string, string>(_siloEnvironment)
        {
            ["Silo__SiloPort"] = FreePort.Next().ToString(),
            ["Silo__GatewayPort"] = FreePort.Next().ToString(),
        };
        var silo = await EngineProcess.StartAsync(RepositoryPaths.SiloDll, environment, int.Parse(environment["Silo__GatewayPort"]), TimeSpan.FromSeconds(90));
        lock (_extraSilos)
        {
            _extraSilos.Add(silo);
            _extraSiloPorts.Add(int.Parse(environment["Silo__SiloPort"]));
        }
    }

    /// <summary>kill -9 of the silo (first or extra) listening on <paramref name="siloPort"/>; false when none does.</summary>
    public async Task<bool> KillSiloOnPortAsync(int siloPort)
    {
        if (siloPort == SiloPort && _silo is not null)
        {
            await _silo.KillAsync();
            return true;
        }

        var index = _extraSiloPorts.IndexOf(siloPort);
        if (index < 0)
        {
            return false;
        }

        await _extraSilos[index].KillAsync();
        return true;
    }

    /// <summary>kill -9 of the silo process.</summary>
    public async Task KillSiloAsync()
    {
        if (_silo is not null)
        {
            await _silo.KillAsync();
        }
    }

    public string Diagnostics => $"--- silo ---\n{_silo?.Output}\n--- gateway ---\n{_gateway?.Output}";

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        _otherChannel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        foreach (var silo in _extraSilos)
        {
            await silo.DisposeAsync();
        }

        await Sink.DisposeAsync();
    }
}
