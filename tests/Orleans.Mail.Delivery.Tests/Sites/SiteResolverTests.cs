using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Sites;

namespace Orleans.Mail.Delivery.Tests.Sites;

public sealed class SiteResolverTests
{
    private static SiteResolver Create(Dictionary<string, RouteResolution> routes, SiteOptions? options = null) =>
        new(new MapRouter(routes), Options.Create(options ?? new SiteOptions()));

    private static RouteResolution Mx(params string[] hosts) =>
        RouteResolution.To(hosts.Select(h => new SmtpEndpoint("127.0.0.1", 25, h)).ToArray());

    [Theory]
    [InlineData("gmail-smtp-in.l.google.com", "provider:google")]
    [InlineData("ASPMX.L.GOOGLE.COM.", "provider:google")]
    [InlineData("company-com.mail.protection.outlook.com", "provider:microsoft")]
    [InlineData("mta5.am0.yahoodns.net", "provider:yahoo")]
    [InlineData("mx01.mail.icloud.com", "provider:apple")]
    [InlineData("mx-ha03.web.de", "provider:gmx")]
    [InlineData("eu-smtp-inbound-1.mimecast.com", "provider:mimecast")]
    public async Task SiteOf_MxOfKnownProvider_ProviderSite(string mxHost, string expected)
    {
        var resolver = Create(new() { ["company.example"] = Mx(mxHost) });

        Assert.Equal(expected, await resolver.SiteOfAsync("company.example", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SiteOf_SuffixMatchesWholeLabelsOnly()
    {
        var resolver = Create(new() { ["x.example"] = Mx("mx.notgoogle.com") });

        Assert.Equal("mx:mx.notgoogle.com", await resolver.SiteOfAsync("x.example", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SiteOf_UnknownProvider_SortedMxSetSharedByDomainsWithSameHosts()
    {
        var resolver = Create(new()
        {
            ["a.example"] = Mx("mx2.host.example", "mx1.host.example"),
            ["b.example"] = Mx("MX1.host.example", "mx2.host.example"),
            ["c.example"] = Mx("mx1.host.example"),
        });

        Assert.Equal("mx:mx1.host.example,mx2.host.example", await resolver.SiteOfAsync("a.example", TestContext.Current.CancellationToken));
        Assert.Equal("mx:mx1.host.example,mx2.host.example", await resolver.SiteOfAsync("b.example", TestContext.Current.CancellationToken));
        Assert.Equal("mx:mx1.host.example", await resolver.SiteOfAsync("c.example", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SiteOf_StaticRouteFailureOrGroupingOff_DomainIsItsOwnSite()
    {
        var routes = new Dictionary<string, RouteResolution>
        {
            ["routed.example"] = RouteResolution.To([new SmtpEndpoint("127.0.0.1", 2525)]),
            ["nullmx.example"] = RouteResolution.Failed(new RouteFailure(true, 556, "5.1.10", "bad-domain", "null MX")),
            ["g.example"] = Mx("aspmx.l.google.com"),
        };

        Assert.Equal("routed.example", await Create(routes).SiteOfAsync("routed.example", TestContext.Current.CancellationToken));
        Assert.Equal("nullmx.example", await Create(routes).SiteOfAsync("nullmx.example", TestContext.Current.CancellationToken));
        Assert.Equal("g.example", await Create(routes, new SiteOptions { GroupByMx = false }).SiteOfAsync("g.example", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Providers_ConfiguredProviderAndOverride_AddedToBuiltInTable()
    {
        var options = new SiteOptions
        {
            Providers =
            {
                ["hoster"] = new ProviderSite { MxSuffixes = ["mail.hoster.example"], MessagesPerSecond = 7 },
                ["google"] = new ProviderSite { MessagesPerSecond = 20 },
            },
        };
        var resolver = Create(new() { ["shop.example"] = Mx("in1.mail.hoster.example") }, options);

        Assert.Equal("provider:hoster", await resolver.SiteOfAsync("shop.example", TestContext.Current.CancellationToken));
        Assert.Equal(7, resolver.ProviderSettings("provider:hoster")!.MessagesPerSecond);
        var google = resolver.ProviderSettings("provider:google")!;
        Assert.Equal((20.0, 5), (google.MessagesPerSecond, google.MaxConnections));
        Assert.Contains("google.com", google.MxSuffixes);
        Assert.Null(resolver.ProviderSettings("mx:mx1.host.example"));
    }

    [Theory]
    [InlineData(0.0, null, true)]
    [InlineData(null, 0, false)]
    [InlineData(10.0, 5, true)]
    public void IsValid_RangesChecked(double? rate, int? connections, bool valid)
    {
        var site = new ProviderSite { MxSuffixes = ["x.example"], MessagesPerSecond = rate == 0.0 ? null : rate, MaxConnections = connections };

        Assert.Equal(valid, site.IsValid());
    }

    private sealed class MapRouter(Dictionary<string, RouteResolution> routes) : IMailRouter
    {
        public ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(routes[domain]);
    }
}
