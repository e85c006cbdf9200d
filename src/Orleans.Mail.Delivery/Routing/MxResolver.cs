using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Mail.Delivery.Routing;

/// <summary>Finds a domain's mail hosts in DNS (MX mode).</summary>
public interface IMxResolver
{
    /// <summary>
    /// The endpoints for <paramref name="domain"/> from its MX records (RFC 5321 §5.1), best first, each an IP
    /// address literal on <see cref="RoutingOptions.MxPort"/> with the MX host name in
    /// <see cref="SmtpEndpoint.MxName"/>; or a <see cref="RouteFailure"/>. Never throws for a DNS failure.
    /// </summary>
    /// <param name="domain">The recipient domain as a lower-case A-label.</param>
    /// <param name="cancellationToken">Stops the look-up.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default);
}

/// <summary>
/// MX look-ups over DNS with DnsClient, through the servers in <see cref="DnsOptions"/> (the system's resolvers
/// when none are set). Answers are cached for their TTL (records with TTL 0 and failures are not cached).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>MX records are used in preference order, lowest first; hosts of equal preference are shuffled on every
/// call (RFC 5321 §5.1). Each host's A and AAAA records are looked up through the same servers; its IPv4
/// addresses come before its IPv6 ones, and an address already listed for a better host is not repeated.</item>
/// <item>No MX records but A/AAAA records: the domain itself is the mail host (implicit MX, RFC 5321 §5.1).</item>
/// <item>Null MX (a single MX with exchange <c>.</c>, RFC 7505): permanent 556 5.1.10 <c>bad-domain</c>.</item>
/// <item>NXDOMAIN, or no MX and no A/AAAA: permanent 550 5.1.2 <c>bad-domain</c>.</item>
/// <item>SERVFAIL, REFUSED, other errors and timeouts: temporary 451 4.4.3 <c>dns-temporary</c>.</item>
/// <item>An MX host without addresses is skipped (no fall-back to the domain's own A record when MX records
/// exist); when none has an address: temporary 451 4.4.4 <c>dns-temporary</c>.</item>
/// </list>
/// </remarks>
public sealed partial class MxResolver : IMxResolver
{
    private const string BadDomain = "bad-domain";
    private const string DnsTemporary = "dns-temporary";

    private readonly LookupClient _lookup;
    private readonly IOptionsMonitor<RoutingOptions> _routing;
    private readonly ILogger<MxResolver> _logger;

    /// <summary>Creates the resolver and its DNS client from <paramref name="dns"/>.</summary>
    /// <exception cref="FormatException">A <see cref="DnsOptions.Servers"/> entry is not <c>ip:port</c>.</exception>
    public MxResolver(IOptions<DnsOptions> dns, IOptionsMonitor<RoutingOptions> routing, ILogger<MxResolver> logger)
    {
        _routing = routing;
        _logger = logger;
        var settings = dns.Value;
        var servers = settings.Servers.Select(DnsOptions.ParseServer).ToArray();
        var options = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        options.UseCache = true;
        options.Timeout = TimeSpan.FromMilliseconds(settings.TimeoutMs);
        options.Retries = settings.Retries;
        options.ThrowDnsErrors = false;
        // SERVFAIL/REFUSED from one server: ask the next. An empty NOERROR answer is an answer, not a fault.
        options.ContinueOnDnsError = true;
        options.ContinueOnEmptyResponse = false;
        options.UseTcpFallback = true;
        _lookup = new LookupClient(options);
    }

    /// <inheritdoc />
    public async ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default)
    {
        var port = _routing.CurrentValue.MxPort;
        var mx = await QueryAsync(domain, QueryType.MX, cancellationToken);
        if (mx.Failure is { } failure)
        {
            return Failed(failure);
        }

        var records = mx.Response!.Answers.MxRecords().ToList();
        if (records.Count == 0)
        {
            return await ImplicitMxAsync(domain, port, cancellationToken);
        }

        var hosts = records
            .Select(r => (r.Preference, Name: HostName(r.Exchange)))
            .Where(r => r.Name.Length > 0)
            .GroupBy(r => r.Preference)
            .OrderBy(g => g.Key)
            .SelectMany(g => Shuffle(g.Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToArray()))
            .ToArray();
        if (hosts.Length == 0)
        {
            return Failed(new RouteFailure(true, 556, "5.1.10", BadDomain,
                $"Domain '{domain}' does not accept mail (null MX, RFC 7505)."));
        }

        // Every host's look-ups run at once, so one slow host costs one timeout, not one per host.
        var lookups = hosts.Select(h => ResolveHostAsync(h, cancellationToken)).ToArray();
        await Task.WhenAll(lookups);
        var endpoints = new List<SmtpEndpoint>();
        var seen = new HashSet<IPAddress>();
        for (var i = 0; i < hosts.Length; i++)
        {
            var (addresses, problem) = await lookups[i];
            if (addresses.Count == 0)
            {
                LogMxHostSkipped(_logger, domain, hosts[i], problem ?? "no A or AAAA records");
            }

            endpoints.AddRange(addresses.Where(seen.Add).Select(a => new SmtpEndpoint(a.ToString(), port, hosts[i])));
        }

        if (endpoints.Count == 0)
        {
            return Failed(new RouteFailure(false, 451, "4.4.4", DnsTemporary,
                $"No MX host of '{domain}' has an address ({string.Join(", ", hosts)})."));
        }

        LogResolved(_logger, domain, endpoints.Count, hosts.Length);
        return RouteResolution.To(endpoints);
    }

    /// <summary>RFC 5321 §5.1: no MX records, so the domain's own addresses are its mail host.</summary>
    private async Task<RouteResolution> ImplicitMxAsync(string domain, int port, CancellationToken cancellationToken)
    {
        var a = QueryAsync(domain, QueryType.A, cancellationToken);
        var aaaa = QueryAsync(domain, QueryType.AAAA, cancellationToken);
        var results = new[] { await a, await aaaa };
        var addresses = results.Where(r => r.Response is not null).SelectMany(r => Addresses(r.Response!)).Distinct().ToArray();
        if (addresses.Length > 0)
        {
            LogResolved(_logger, domain, addresses.Length, 0);
            return RouteResolution.To(addresses.Select(x => new SmtpEndpoint(x.ToString(), port, domain)).ToArray());
        }

        // Prefer the permanent answer only when no query failed temporarily: a flaky server must not bounce mail.
        var temporary = results.Select(r => r.Failure).FirstOrDefault(f => f is { Permanent: false });
        var permanent = results.Select(r => r.Failure).FirstOrDefault(f => f is { Permanent: true });
        return Failed(temporary ?? permanent ?? new RouteFailure(true, 550, "5.1.2", BadDomain,
            $"Domain '{domain}' has no MX and no A/AAAA records."));
    }

    /// <summary>The A then AAAA addresses of one MX host; empty with the reason when it has none.</summary>
    private async Task<(IReadOnlyList<IPAddress> Addresses, string? Problem)> ResolveHostAsync(string host, CancellationToken cancellationToken)
    {
        var a = QueryAsync(host, QueryType.A, cancellationToken);
        var aaaa = QueryAsync(host, QueryType.AAAA, cancellationToken);
        var results = new[] { await a, await aaaa };
        var addresses = results.Where(r => r.Response is not null).SelectMany(r => Addresses(r.Response!)).Distinct().ToArray();
        var problem = results.Select(r => r.Failure?.Reason).FirstOrDefault(reason => reason is not null);
        return (addresses, problem);
    }

    /// <summary>One query; a response with NOERROR, or the failure it means for the route.</summary>
    private async Task<(IDnsQueryResponse? Response, RouteFailure? Failure)> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _lookup.QueryAsync(name, type, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException ex)
        {
            // DnsClient reports cancellation as a timeout; a cancelled caller gets the cancellation instead.
            cancellationToken.ThrowIfCancellationRequested();
            var what = ex.Code == DnsResponseCode.ConnectionTimeout ? "timed out" : $"failed: {ex.Message}";
            return (null, new RouteFailure(false, 451, "4.4.3", DnsTemporary, $"DNS {type} look-up for '{name}' {what}."));
        }
        catch (ArgumentException ex)
        {
            // DnsClient refuses names that cannot be DNS names (a label over 63 octets, a name over 255).
            return (null, new RouteFailure(true, 550, "5.1.2", BadDomain, $"'{name}' is not a valid DNS name: {ex.Message}"));
        }

        return response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => (response, null),
            DnsHeaderResponseCode.NotExistentDomain => (null, new RouteFailure(true, 550, "5.1.2", BadDomain,
                $"Domain '{name}' does not exist (NXDOMAIN on {type} look-up).")),
            var code => (null, new RouteFailure(false, 451, "4.4.3", DnsTemporary,
                $"DNS {type} look-up for '{name}' failed: {code} from {response.NameServer}.")),
        };
    }

    private static IEnumerable<IPAddress> Addresses(IDnsQueryResponse response) =>
        response.Answers.ARecords().Select(r => r.Address).Concat(response.Answers.AaaaRecords().Select(r => r.Address));

    /// <summary>
    /// The exchange as sent (A-labels; DnsClient's <c>Value</c> turns <c>xn--</c> labels into Unicode) without its
    /// trailing dot; empty for the root (<c>.</c>), i.e. a null MX.
    /// </summary>
    private static string HostName(DnsString exchange) => exchange.Original.TrimEnd('.').ToLowerInvariant();

    private static string[] Shuffle(string[] hosts)
    {
        Random.Shared.Shuffle(hosts);
        return hosts;
    }

    private static RouteResolution Failed(RouteFailure failure) => RouteResolution.Failed(failure);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "MX host {MxHost} of {Domain} skipped: {Reason}")]
    private static partial void LogMxHostSkipped(ILogger logger, string domain, string mxHost, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "MX look-up for {Domain}: {Endpoints} endpoints from {MxHosts} MX hosts (0 = implicit MX)")]
    private static partial void LogResolved(ILogger logger, string domain, int endpoints, int mxHosts);
}
