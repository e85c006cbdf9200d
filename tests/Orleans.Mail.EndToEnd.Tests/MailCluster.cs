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
    private readonly List<EngineProcess> _extraGateways = [];
    private Dictionary<string, string> _gatewayEnvironment = [];
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

    /// <summary>
    /// When true each silo sends from its own loopback source address (<c>Smtp:SourceAddress</c>): the first
    /// 127.0.0.11, extra silo n 127.0.0.(12+n), so a receiver can tell which silo delivered what.
    /// </summary>
    public bool SourceAddressPerSilo { get; init; }

    /// <summary>Extra silo settings (environment variables) applied last.</summary>
    public Action<Dictionary<string, string>>? ConfigureSilo { get; init; }

    /// <summary>Adds or overrides gateway settings (environment variables) before it starts.</summary>
    public Action<Dictionary<string, string>>? ConfigureGateway { get; init; }

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
        _siloEnvironment["Logging__LogLevel__Orleans.Mail.Grains.Delivery.DeliverySlotGrain"] = "Information";
        _siloEnvironment["Unsubscribe__BaseUrl"] = UnsubscribeBaseUrl;
        _siloEnvironment["Unsubscribe__Secret"] = UnsubscribeSecret;
        ConfigureSilo?.Invoke(_siloEnvironment);
        if (SourceAddressPerSilo)
        {
            _siloEnvironment["Smtp__SourceAddress"] = SourceAddressOf(0);
        }

        await StartSiloAsync();
        await Task.WhenAll(Enumerable.Range(0, ExtraSilos).Select(StartExtraSiloAsync));
        if (ExtraSilos > 0)
        {
            await WaitForActiveSilosAsync(1 + ExtraSilos, TimeSpan.FromSeconds(60));
        }

        var gatewayEnvironment = new Dictionary<string, string>
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
        };
        ConfigureGateway?.Invoke(gatewayEnvironment);
        _gatewayEnvironment = gatewayEnvironment;
        _gateway = await EngineProcess.StartAsync(RepositoryPaths.GatewayDll, gatewayEnvironment, GrpcPort, TimeSpan.FromSeconds(90));
        _channel = GatewayConnection.Open($"http://127.0.0.1:{GrpcPort}", ApiKey);
        _otherChannel = GatewayConnection.Open($"http://127.0.0.1:{GrpcPort}", OtherTenantKey);
    }

    /// <summary>
    /// A cluster of its own whose silos send everything to <paramref name="smarthost"/> (a test's own receiver,
    /// <c>host:port</c>) instead of the shared sink; <paramref name="configure"/> adds silo settings.
    /// </summary>
    public static Task<MailCluster> StartWithSmarthostAsync(
        string smarthost, Action<Dictionary<string, string>>? configure = null, int extraSilos = 0) =>
        StartOwnAsync(env =>
        {
            env["Routing__Smarthost"] = smarthost;
            configure?.Invoke(env);
        }, extraSilos, sourceAddressPerSilo: false);

    /// <summary>
    /// A cluster of its own that routes by MX look-ups against <paramref name="dnsServer"/> (a test's dnsmasq,
    /// <c>ip:port</c>) and connects to every MX host on <paramref name="mxPort"/> (a test's receiver);
    /// <paramref name="configure"/> adds silo settings.
    /// </summary>
    public static Task<MailCluster> StartWithMxAsync(
        string dnsServer, int mxPort, Action<Dictionary<string, string>>? configure = null, int extraSilos = 0, bool sourceAddressPerSilo = false) =>
        StartOwnAsync(env =>
        {
            env["Dns__Servers__0"] = dnsServer;
            env["Dns__TimeoutMs"] = "3000";
            env["Routing__MxPort"] = mxPort.ToString();
            configure?.Invoke(env);
        }, extraSilos, sourceAddressPerSilo);

    private static async Task<MailCluster> StartOwnAsync(Action<Dictionary<string, string>> configure, int extraSilos, bool sourceAddressPerSilo)
    {
        var cluster = new MailCluster
        {
            UseSmarthost = false,
            StartReceiver = false,
            ExtraSilos = extraSilos,
            SourceAddressPerSilo = sourceAddressPerSilo,
            ConfigureSilo = configure,
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

    /// <summary>The source address of silo <paramref name="index"/> (0: the first) with <see cref="SourceAddressPerSilo"/>.</summary>
    public static string SourceAddressOf(int index) => $"127.0.0.{11 + index}";

    private async Task StartExtraSiloAsync(int index)
    {
        var environment = new Dictionary<string, string>(_siloEnvironment)
        {
            ["Silo__SiloPort"] = FreePort.Next().ToString(),
            ["Silo__GatewayPort"] = FreePort.Next().ToString(),
        };
        if (SourceAddressPerSilo)
        {
            environment["Smtp__SourceAddress"] = SourceAddressOf(index + 1);
        }

        var silo = await EngineProcess.StartAsync(RepositoryPaths.SiloDll, environment, int.Parse(environment["Silo__GatewayPort"]), TimeSpan.FromSeconds(90));
        lock (_extraSilos)
        {
            _extraSilos.Add(silo);
            _extraSiloPorts.Add(int.Parse(environment["Silo__SiloPort"]));
        }
    }

    /// <summary>
    /// Waits until the membership table lists <paramref name="count"/> active silos (Orleans status 3), plus two
    /// seconds for every silo to hear of them, so placement sees the whole cluster from the first call.
    /// </summary>
    private async Task WaitForActiveSilosAsync(int count, TimeSpan timeout)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE status = 3", connection);
            if ((long)(await command.ExecuteScalarAsync())! >= count)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{count} silos were not all active after {timeout.TotalSeconds} s.\n{Diagnostics}");
            }

            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// Starts <paramref name="count"/> more silos on the running cluster (the next extra silos, each with its own
    /// source address under <see cref="SourceAddressPerSilo"/>) and waits until the membership table lists
    /// them as active.
    /// </summary>
    public async Task AddSilosAsync(int count)
    {
        int first;
        lock (_extraSilos)
        {
            first = _extraSilos.Count;
        }

        await Task.WhenAll(Enumerable.Range(first, count).Select(StartExtraSiloAsync));
        await WaitForActiveSilosAsync(1 + first + count, TimeSpan.FromSeconds(60));
    }

    /// <summary>The extra silos' silo-to-silo ports, in start order.</summary>
    public IReadOnlyList<int> ExtraSiloPorts => _extraSiloPorts.ToArray();

    /// <summary>kill -9 of extra silo <paramref name="index"/> (0: the first extra one).</summary>
    public Task KillExtraSiloAsync(int index) => _extraSilos[index].KillAsync();

    /// <summary>SIGTERM of extra silo <paramref name="index"/>; true when it stopped gracefully within <paramref name="timeout"/>.</summary>
    public Task<bool> TerminateExtraSiloAsync(int index, TimeSpan timeout) => _extraSilos[index].TerminateAsync(timeout);

    /// <summary>Starts another gateway on the same cluster (same keys and settings); returns its gRPC port.</summary>
    public async Task<int> StartExtraGatewayAsync()
    {
        var environment = new Dictionary<string, string>(_gatewayEnvironment)
        {
            ["Gateway__GrpcPort"] = FreePort.Next().ToString(),
            ["Gateway__AdminPort"] = FreePort.Next().ToString(),
            ["Gateway__PublicPort"] = FreePort.Next().ToString(),
        };
        var port = int.Parse(environment["Gateway__GrpcPort"]);
        _extraGateways.Add(await EngineProcess.StartAsync(RepositoryPaths.GatewayDll, environment, port, TimeSpan.FromSeconds(90)));
        return port;
    }

    /// <summary>kill -9 of the first gateway.</summary>
    public async Task KillGatewayAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.KillAsync();
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

    /// <summary>True while the first silo and the gateway are both still running (no crash).</summary>
    public bool ProcessesRunning => _silo is { HasExited: false } && _gateway is { HasExited: false };

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

        foreach (var gateway in _extraGateways)
        {
            await gateway.DisposeAsync();
        }

        foreach (var silo in _extraSilos)
        {
            await silo.DisposeAsync();
        }

        await Sink.DisposeAsync();
    }
}
