using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.Delivery.Tests.Routing;

/// <summary>An options monitor whose value the test sets.</summary>
internal sealed class FixedMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

/// <summary>
/// One dnsmasq for the MX tests, serving every zone below (all answers TTL 0, so nothing is cached):
/// MX hosts on 127.0.0.2 and 127.0.0.3 and up; see each test for the zone it reads.
/// </summary>
public sealed class MxZonesFixture : IAsyncLifetime
{
    private Dnsmasq? _dns;

    public Dnsmasq Dns => _dns ?? throw new InvalidOperationException("dnsmasq not started.");

    public static DnsmasqConfig Zones() => new DnsmasqConfig()
        // Two MX hosts, preference 10 before 20, listed worst first.
        .Mx("pref.example", "mx2.pref.example", 20)
        .Mx("pref.example", "mx1.pref.example", 10)
        .Host("mx1.pref.example", "127.0.0.2")
        .Host("mx2.pref.example", "127.0.0.3")
        // Two hosts of equal preference and a worse one.
        .Mx("equal.example", "mxa.equal.example", 10)
        .Mx("equal.example", "mxb.equal.example", 10)
        .Mx("equal.example", "mxc.equal.example", 20)
        .Host("mxa.equal.example", "127.0.0.4")
        .Host("mxb.equal.example", "127.0.0.5")
        .Host("mxc.equal.example", "127.0.0.6")
        // No MX, an A and an AAAA record: implicit MX.
        .Host("implicit.example", "127.0.0.7", "fd00::7")
        // Null MX with an A record that must not be used.
        .NullMx("nullmx.example")
        .Host("nullmx.example", "127.0.0.8")
        .NxDomain("nx.example")
        .Timeout("slow.example")
        // Exists (TXT) but has no MX, A or AAAA.
        .Txt("empty.example", "v=spf1 -all")
        // The better MX host has no address (NXDOMAIN); the worse one has.
        .Mx("skip.example", "missing.skip.example", 10)
        .Mx("skip.example", "mx.skip.example", 20)
        .Host("mx.skip.example", "127.0.0.9")
        // The only MX host has no address, the domain has an A record: no fall-back to it (C30 d).
        .Mx("dead.example", "mx.dead.example", 10)
        .Host("dead.example", "127.0.0.10")
        // The better MX host's look-up times out; the worse one answers.
        .Mx("partial.example", "mx.slow.example", 10)
        .Mx("partial.example", "mx1.pref.example", 20)
        // Two MX hosts with the same address.
        .Mx("dup.example", "mx1.pref.example", 10)
        .Mx("dup.example", "alias.dup.example", 20)
        .Host("alias.dup.example", "127.0.0.2", "127.0.0.11");

    public async ValueTask InitializeAsync() => _dns = await Dnsmasq.StartAsync(Zones(), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }

    /// <summary>A resolver asking only <paramref name="server"/>, 2 s per query (tests run in parallel on two cores), no retries.</summary>
    public static MxResolver Resolver(string server, int mxPort = 2525, int timeoutMs = 2000) =>
        new(Options.Create(new DnsOptions { Servers = [server], TimeoutMs = timeoutMs, Retries = 0 }),
            new FixedMonitor<RoutingOptions>(new RoutingOptions { MxPort = mxPort }),
            NullLogger<MxResolver>.Instance);
}
