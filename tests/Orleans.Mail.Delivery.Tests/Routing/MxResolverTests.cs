using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.Delivery.Tests.Routing;

/// <summary>MX routing against a real dnsmasq on 127.0.0.1 (zones in <see cref="MxZonesFixture"/>).</summary>
public sealed class MxResolverTests(MxZonesFixture zones) : IClassFixture<MxZonesFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private MxResolver Resolver(int mxPort = 2525) => MxZonesFixture.Resolver(zones.Dns.Server, mxPort);

    [Fact]
    public async Task ResolveAsync_TwoPreferences_LowerPreferenceFirstWithMxPortAndNames()
    {
        var resolution = await Resolver(mxPort: 2525).ResolveAsync("pref.example", Cancel);

        Assert.Null(resolution.Failure);
        Assert.Equal(
            [new SmtpEndpoint("127.0.0.2", 2525, "mx1.pref.example"), new SmtpEndpoint("127.0.0.3", 2525, "mx2.pref.example")],
            resolution.Endpoints);
        Assert.Equal(["mx1.pref.example[127.0.0.2]:2525", "mx2.pref.example[127.0.0.3]:2525"], resolution.Endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public async Task ResolveAsync_OtherMxPort_EveryEndpointUsesIt()
    {
        var resolution = await Resolver(mxPort: 40025).ResolveAsync("pref.example", Cancel);

        Assert.Equal([40025, 40025], resolution.Endpoints.Select(e => e.Port));
    }

    [Fact]
    public async Task ResolveAsync_EqualPreferences_BothOrdersAppearAndWorseHostStaysLast()
    {
        var resolver = Resolver();
        var orders = new HashSet<string>();
        for (var i = 0; i < 200 && orders.Count < 2; i++)
        {
            var endpoints = (await resolver.ResolveAsync("equal.example", Cancel)).Endpoints;
            Assert.Equal(3, endpoints.Count);
            Assert.Equal(new SmtpEndpoint("127.0.0.6", 2525, "mxc.equal.example"), endpoints[2]);
            orders.Add($"{endpoints[0].Host},{endpoints[1].Host}");
        }

        // Each call is an even coin flip: missing an order in 200 calls has probability 2^-199.
        Assert.Equal(["127.0.0.4,127.0.0.5", "127.0.0.5,127.0.0.4"], orders.Order());
    }

    [Fact]
    public async Task ResolveAsync_NoMxButAddresses_ImplicitMxToTheDomainIpv4First()
    {
        var resolution = await Resolver().ResolveAsync("implicit.example", Cancel);

        Assert.Null(resolution.Failure);
        Assert.Equal(
            [new SmtpEndpoint("127.0.0.7", 2525, "implicit.example"), new SmtpEndpoint("fd00::7", 2525, "implicit.example")],
            resolution.Endpoints);
        Assert.Equal("implicit.example[fd00::7]:2525", resolution.Endpoints[1].ToString());
    }

    [Fact]
    public async Task ResolveAsync_NullMx_PermanentBadDomain5110WithoutEndpoints()
    {
        var resolution = await Resolver().ResolveAsync("nullmx.example", Cancel);

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((true, 556, "5.1.10", "bad-domain"), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.Contains("null MX", failure.Reason);
    }

    [Fact]
    public async Task ResolveAsync_NxDomain_PermanentBadDomain512()
    {
        var resolution = await Resolver().ResolveAsync("nx.example", Cancel);

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((true, 550, "5.1.2", "bad-domain"), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.Contains("NXDOMAIN", failure.Reason);
    }

    [Fact]
    public async Task ResolveAsync_DomainWithoutMxOrAddresses_PermanentBadDomain512()
    {
        var resolution = await Resolver().ResolveAsync("empty.example", Cancel);

        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((true, 550, "5.1.2", "bad-domain"), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.Equal("550 5.1.2 Domain 'empty.example' has no MX and no A/AAAA records.", failure.Reply);
    }

    [Fact]
    public async Task ResolveAsync_ServerNeverAnswers_TemporaryDnsFailure443WithinTimeout()
    {
        var watch = Stopwatch.StartNew();

        var resolution = await Resolver().ResolveAsync("slow.example", Cancel);

        watch.Stop();
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((false, 451, "4.4.3", "dns-temporary"), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.Equal("DNS MX look-up for 'slow.example' timed out.", failure.Reason);
        // One query of 500 ms, no retries.
        Assert.InRange(watch.ElapsedMilliseconds, 400, 4000);
    }

    [Fact]
    public async Task ResolveAsync_ServerRefuses_TemporaryDnsFailure443()
    {
        // "test" is not a zone of this dnsmasq and it has no upstream server: it answers REFUSED.
        var resolution = await Resolver().ResolveAsync("refused.test", Cancel);

        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((false, 451, "4.4.3", "dns-temporary"), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.Contains("Refused", failure.Reason);
    }

    [Fact]
    public async Task ResolveAsync_BetterMxHostHasNoAddress_SkipsItAndUsesTheNext()
    {
        var resolution = await Resolver().ResolveAsync("skip.example", Cancel);

        Assert.Equal([new SmtpEndpoint("127.0.0.9", 2525, "mx.skip.example")], resolution.Endpoints);
    }

    [Fact]
    public async Task ResolveAsync_BetterMxHostLookupTimesOut_SkipsItAndUsesTheNext()
    {
        var resolution = await Resolver().ResolveAsync("partial.example", Cancel);

        Assert.Equal([new SmtpEndpoint("127.0.0.2", 2525, "mx1.pref.example")], resolution.Endpoints);
    }

    [Fact]
    public async Task ResolveAsync_NoMxHostHasAnAddress_Temporary444WithoutFallbackToDomainAddress()
    {
        var resolution = await Resolver().ResolveAsync("dead.example", Cancel);

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((false, 451, "4.4.4", "dns-temporary"), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.Contains("mx.dead.example", failure.Reason);
    }

    [Fact]
    public async Task ResolveAsync_TwoMxHostsShareAnAddress_AddressListedOnceUnderTheBetterHost()
    {
        var resolution = await Resolver().ResolveAsync("dup.example", Cancel);

        Assert.Equal(
            [new SmtpEndpoint("127.0.0.2", 2525, "mx1.pref.example"), new SmtpEndpoint("127.0.0.11", 2525, "alias.dup.example")],
            resolution.Endpoints);
    }

    [Fact]
    public async Task ResolveAsync_CancelledToken_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Resolver().ResolveAsync("slow.example", cancelled.Token));
    }

    [Fact]
    public async Task ResolveAsync_ServerGoneWithinTtl_AnswersFromCache()
    {
        var dns = await Dnsmasq.StartAsync(new DnsmasqConfig().Ttl(300).Mx("cached.example", "mx.cached.example", 10).Host("mx.cached.example", "127.0.0.12"), Cancel);
        var resolver = MxZonesFixture.Resolver(dns.Server);
        var first = await resolver.ResolveAsync("cached.example", Cancel);
        await dns.DisposeAsync();

        var second = await resolver.ResolveAsync("cached.example", Cancel);

        Assert.Equal([new SmtpEndpoint("127.0.0.12", 2525, "mx.cached.example")], first.Endpoints);
        Assert.Equal(first.Endpoints, second.Endpoints);
    }

    [Fact]
    public async Task ResolveAsync_ServerGoneAndTtlZero_TemporaryDnsFailure()
    {
        var dns = await Dnsmasq.StartAsync(new DnsmasqConfig().Mx("uncached.example", "mx.uncached.example", 10).Host("mx.uncached.example", "127.0.0.12"), Cancel);
        var resolver = MxZonesFixture.Resolver(dns.Server);
        Assert.Null((await resolver.ResolveAsync("uncached.example", Cancel)).Failure);
        await dns.DisposeAsync();

        var second = await resolver.ResolveAsync("uncached.example", Cancel);

        var failure = Assert.IsType<RouteFailure>(second.Failure);
        Assert.Equal((false, "4.4.3", "dns-temporary"), (failure.Permanent, failure.EnhancedCode, failure.Class));
    }

    // Router fallback order: route map, then smarthost, then MX (all against the same real DNS).

    private StaticMailRouter Router(string? smarthost, params (string Domain, string Route)[] routes)
    {
        var options = new RoutingOptions { Smarthost = smarthost, MxPort = 2525 };
        foreach (var (domain, route) in routes)
        {
            options.Routes[domain] = route;
        }

        return new StaticMailRouter(new FixedMonitor<RoutingOptions>(options), Resolver());
    }

    [Fact]
    public async Task RouterResolveAsync_DomainInRouteMapWithMx_UsesRouteNotSmarthostOrMx()
    {
        var router = Router("smarthost.test:587", ("pref.example", "relay.test:2526"));

        var resolution = await router.ResolveAsync("pref.example", Cancel);

        Assert.Equal([new SmtpEndpoint("relay.test", 2526)], resolution.Endpoints);
    }

    [Fact]
    public async Task RouterResolveAsync_SmarthostSetAndDomainHasMx_UsesSmarthostNotMx()
    {
        var router = Router("smarthost.test:587", ("other.example", "relay.test:2526"));

        var resolution = await router.ResolveAsync("pref.example", Cancel);

        Assert.Equal([new SmtpEndpoint("smarthost.test", 587)], resolution.Endpoints);
    }

    [Fact]
    public async Task RouterResolveAsync_NoRouteNoSmarthost_UsesMxRecords()
    {
        var router = Router(null, ("other.example", "relay.test:2526"));

        var resolution = await router.ResolveAsync("pref.example", Cancel);

        Assert.Equal(["mx1.pref.example[127.0.0.2]:2525", "mx2.pref.example[127.0.0.3]:2525"], resolution.Endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public async Task RouterResolveAsync_NoRouteNoSmarthostNullMx_ReturnsTheMxFailure()
    {
        var router = Router("   ");

        var resolution = await router.ResolveAsync("nullmx.example", Cancel);

        Assert.Equal("5.1.10", resolution.Failure?.EnhancedCode);
    }

    // Through the sender: what the routes mean for connections.

    private static OutgoingMessage Message(string domain) => new(
        Guid.NewGuid(), MailboxAddress.Parse("sender@source.test"), MailboxAddress.Parse($"user@{domain}"),
        () => new MimeMessage { Subject = "mx test", Body = new TextPart("plain") { Text = "hello" } });

    private static async Task<IReadOnlyList<SendOutcome>> SendAsync(IMailRouter router, string domain, bool loopbackOnly = true)
    {
        var smtp = Options.Create(new SmtpOptions { ConnectTimeoutMs = 2000, CommandTimeoutMs = 2000, LoopbackOnly = loopbackOnly });
        await using var pool = new SmtpSessionPool(new SmtpConnector(smtp), smtp, TimeProvider.System);
        var sender = new SmtpBatchSender(router, pool, NullLogger<SmtpBatchSender>.Instance);
        return await sender.SendAsync(domain, [Message(domain)], 10, Cancel);
    }

    [Fact]
    public async Task SendAsync_NullMxDomain_BouncesWithoutConnectingToItsAddress()
    {
        var port = FreePort.Next();
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.8"), port);
        listener.Start();
        var router = new StaticMailRouter(new FixedMonitor<RoutingOptions>(new RoutingOptions { MxPort = port }), Resolver(port));

        var outcome = Assert.Single(await SendAsync(router, "nullmx.example"));

        Assert.Equal((SendResultKind.Permanent, 556), (outcome.Kind, outcome.Code));
        Assert.StartsWith("556 5.1.10 ", outcome.Reply);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task SendAsync_MxHostsRefuseSmtp_ConnectsToMxAddressesInPreferenceOrder()
    {
        var port = FreePort.Next();
        using var first = new TcpListener(IPAddress.Parse("127.0.0.2"), port);
        using var second = new TcpListener(IPAddress.Parse("127.0.0.3"), port);
        first.Start();
        second.Start();
        var accepted = new List<string>();
        async Task AcceptAndCloseAsync(TcpListener listener)
        {
            using var client = await listener.AcceptTcpClientAsync(Cancel);
            lock (accepted)
            {
                accepted.Add(((IPEndPoint)client.Client.LocalEndPoint!).Address.ToString());
            }

            // 554 greeting (RFC 5321 §3.1): no SMTP service here; the sender moves on to the next host.
            await client.GetStream().WriteAsync("554 5.3.2 no service\r\n"u8.ToArray(), Cancel);
        }

        var accepts = Task.WhenAll(AcceptAndCloseAsync(first), AcceptAndCloseAsync(second));
        var router = new StaticMailRouter(new FixedMonitor<RoutingOptions>(new RoutingOptions { MxPort = port }), Resolver(port));

        var outcome = Assert.Single(await SendAsync(router, "pref.example"));
        await accepts.WaitAsync(TimeSpan.FromSeconds(10), Cancel);

        Assert.Equal(["127.0.0.2", "127.0.0.3"], accepted);
        Assert.Equal(SendResultKind.Temporary, outcome.Kind);
        Assert.Equal($"mx2.pref.example[127.0.0.3]:{port}", outcome.Host);
    }

    [Fact]
    public async Task SendAsync_ProductionModeMxAtLoopback_DeferredBadDomainNeverConnected()
    {
        var port = FreePort.Next();
        using var first = new TcpListener(IPAddress.Parse("127.0.0.2"), port);
        using var second = new TcpListener(IPAddress.Parse("127.0.0.3"), port);
        first.Start();
        second.Start();
        var router = new StaticMailRouter(new FixedMonitor<RoutingOptions>(new RoutingOptions { MxPort = port }), Resolver(port));

        // A hostile domain owner points its MX at our own network: with LoopbackOnly off (production) the silo must
        // refuse before connecting (security review F22).
        var outcome = Assert.Single(await SendAsync(router, "pref.example", loopbackOnly: false));

        Assert.Equal((SendResultKind.Temporary, "bad-domain"), (outcome.Kind, outcome.Class));
        Assert.Contains("loopback, private or link-local", outcome.Reply);
        Assert.False(first.Pending());
        Assert.False(second.Pending());
    }
}
