using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Tests;

public sealed class StaticMailRouterTests
{
    private sealed class TestMonitor(RoutingOptions value) : IOptionsMonitor<RoutingOptions>
    {
        public RoutingOptions CurrentValue { get; set; } = value;

        public RoutingOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<RoutingOptions, string?> listener) => null;
    }

    /// <summary>Stands in for DNS: records the domains asked for and answers with a fixed resolution.</summary>
    private sealed class FakeMxResolver(RouteResolution answer) : IMxResolver
    {
        public List<string> Domains { get; } = [];

        public ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default)
        {
            Domains.Add(domain);
            return ValueTask.FromResult(answer);
        }
    }

    private static readonly RouteFailure MxFailure = new(false, 451, "4.4.3", "dns-temporary", "DNS MX look-up timed out.");

    private readonly FakeMxResolver _mx = new(RouteResolution.Failed(MxFailure));

    private StaticMailRouter Router(string? smarthost, params (string Domain, string Route)[] routes)
    {
        var options = new RoutingOptions { Smarthost = smarthost };
        foreach (var (domain, route) in routes)
        {
            options.Routes[domain] = route;
        }

        return new StaticMailRouter(new TestMonitor(options), _mx);
    }

    [Fact]
    public async Task ResolveAsync_DomainInRouteMap_ReturnsRouteBeforeSmarthost()
    {
        var router = Router("smarthost.example:587", ("example.com", "relay.example:2525"));

        var endpoints = (await router.ResolveAsync("example.com", TestContext.Current.CancellationToken)).Endpoints;

        Assert.Equal([new SmtpEndpoint("relay.example", 2525)], endpoints);
    }

    [Fact]
    public async Task ResolveAsync_DomainNotInRouteMap_ReturnsSmarthost()
    {
        var router = Router("smarthost.example:587", ("example.com", "relay.example:2525"));

        var endpoints = (await router.ResolveAsync("other.example", TestContext.Current.CancellationToken)).Endpoints;

        Assert.Equal([new SmtpEndpoint("smarthost.example", 587)], endpoints);
    }

    [Fact]
    public async Task ResolveAsync_RouteWithoutPort_UsesPort25()
    {
        var router = Router(null, ("example.com", "relay.example"));

        var endpoints = (await router.ResolveAsync("example.com", TestContext.Current.CancellationToken)).Endpoints;

        Assert.Equal([new SmtpEndpoint("relay.example", 25)], endpoints);
    }

    [Fact]
    public async Task ResolveAsync_RouteKeyInOtherCase_MatchesCaseInsensitively()
    {
        var router = Router(null, ("Example.COM", "[::1]:2526"));

        var endpoints = (await router.ResolveAsync("example.com", TestContext.Current.CancellationToken)).Endpoints;

        Assert.Equal([new SmtpEndpoint("::1", 2526)], endpoints);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task ResolveAsync_NoRouteAndNoSmarthost_ReturnsMxResolution(string? smarthost)
    {
        var router = Router(smarthost, ("example.com", "relay.example:2525"));

        var resolution = await router.ResolveAsync("unrouted.example", TestContext.Current.CancellationToken);

        Assert.Empty(resolution.Endpoints);
        Assert.Same(MxFailure, resolution.Failure);
        Assert.Equal(["unrouted.example"], _mx.Domains);
    }

    [Fact]
    public async Task ResolveAsync_RouteOrSmarthost_NeverAsksMx()
    {
        var router = Router("smarthost.example:587", ("example.com", "relay.example:2525"));

        await router.ResolveAsync("example.com", TestContext.Current.CancellationToken);
        await router.ResolveAsync("other.example", TestContext.Current.CancellationToken);

        Assert.Empty(_mx.Domains);
    }

    [Fact]
    public async Task ResolveAsync_OptionsChanged_UsesCurrentValue()
    {
        var monitor = new TestMonitor(new RoutingOptions());
        var router = new StaticMailRouter(monitor, _mx);
        Assert.Same(MxFailure, (await router.ResolveAsync("example.com", TestContext.Current.CancellationToken)).Failure);

        monitor.CurrentValue = new RoutingOptions { Smarthost = "127.0.0.1:2525" };
        var endpoints = (await router.ResolveAsync("example.com", TestContext.Current.CancellationToken)).Endpoints;

        Assert.Equal([new SmtpEndpoint("127.0.0.1", 2525)], endpoints);
    }

    [Fact]
    public async Task ResolveAsync_BadRouteValue_ThrowsFormatException()
    {
        var router = Router("smarthost.example:587", ("example.com", "relay.example:99999"));

        await Assert.ThrowsAsync<FormatException>(async () => await router.ResolveAsync("example.com", TestContext.Current.CancellationToken));
    }
}
