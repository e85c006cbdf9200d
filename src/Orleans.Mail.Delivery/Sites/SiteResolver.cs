using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Sites;

/// <summary>
/// Names the site a recipient domain belongs to, the unit that is paced as one. Keys:
/// <c>provider:{name}</c> for a domain whose MX hosts belong to a known provider (<see cref="SiteOptions.Providers"/>),
/// <c>mx:{host},{host}…</c> (sorted, lower case) for other MX-routed domains, and the domain itself for a domain
/// routed by configuration, without a usable MX, or when <see cref="SiteOptions.GroupByMx"/> is off. MX
/// answers come from the router, which caches them for their TTL.
/// </summary>
public sealed class SiteResolver(IMailRouter router, IOptions<SiteOptions> options)
{
    /// <summary>The prefix of provider site keys.</summary>
    public const string ProviderPrefix = "provider:";

    /// <summary>The prefix of MX-set site keys.</summary>
    public const string MxPrefix = "mx:";

    private readonly Dictionary<string, ProviderSite> _providers = Merge(options.Value.Providers);

    /// <summary>The site of <paramref name="domain"/> (a lower-case A-label). Never throws for DNS trouble: the domain is then its own site.</summary>
    public async ValueTask<string> SiteOfAsync(string domain, CancellationToken cancellationToken = default)
    {
        if (!options.Value.GroupByMx)
        {
            return domain;
        }

        RouteResolution route;
        try
        {
            route = await router.ResolveAsync(domain, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return domain;
        }

        var hosts = route.Endpoints.Select(e => e.MxName).OfType<string>().Select(h => h.TrimEnd('.').ToLowerInvariant()).Distinct().ToArray();
        if (route.Failure is not null || hosts.Length == 0)
        {
            return domain;
        }

        return ProviderOf(hosts) is { } provider ? ProviderPrefix + provider : MxPrefix + string.Join(',', hosts.Order(StringComparer.Ordinal));
    }

    /// <summary>The provider one of <paramref name="mxHosts"/> belongs to (whole-label suffix match), or null.</summary>
    public string? ProviderOf(IEnumerable<string> mxHosts)
    {
        foreach (var host in mxHosts)
        {
            foreach (var (name, provider) in _providers)
            {
                if (provider.MxSuffixes.Any(suffix => MatchesSuffix(host, suffix)))
                {
                    return name;
                }
            }
        }

        return null;
    }

    /// <summary>The provider settings of a site key, or null for a site that is not a provider's.</summary>
    public ProviderSite? ProviderSettings(string site) =>
        site.StartsWith(ProviderPrefix, StringComparison.Ordinal) && _providers.TryGetValue(site[ProviderPrefix.Length..], out var provider)
            ? provider
            : null;

    private static bool MatchesSuffix(string host, string suffix)
    {
        suffix = suffix.Trim().TrimStart('.').TrimEnd('.');
        if (suffix.Length == 0)
        {
            return false;
        }

        return host.Equals(suffix, StringComparison.OrdinalIgnoreCase)
               || (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && host[^(suffix.Length + 1)] == '.');
    }

    /// <summary>Built-in providers overlaid with configured ones (configured suffixes are added, configured limits win).</summary>
    private static Dictionary<string, ProviderSite> Merge(Dictionary<string, ProviderSite> configured)
    {
        var merged = BuiltInProviders.Create();
        foreach (var (name, provider) in configured)
        {
            if (merged.TryGetValue(name, out var builtIn))
            {
                merged[name] = new ProviderSite
                {
                    MxSuffixes = [.. builtIn.MxSuffixes, .. provider.MxSuffixes],
                    MessagesPerSecond = provider.MessagesPerSecond ?? builtIn.MessagesPerSecond,
                    MaxConnections = provider.MaxConnections ?? builtIn.MaxConnections,
                    MessagesPerConnection = provider.MessagesPerConnection ?? builtIn.MessagesPerConnection,
                    MessagesPerMinute = provider.MessagesPerMinute ?? builtIn.MessagesPerMinute,
                    MessagesPerHour = provider.MessagesPerHour ?? builtIn.MessagesPerHour,
                    MessagesPerDay = provider.MessagesPerDay ?? builtIn.MessagesPerDay,
                    IdleConnectionMs = provider.IdleConnectionMs ?? builtIn.IdleConnectionMs,
                    ConnectionsPerMinute = provider.ConnectionsPerMinute ?? builtIn.ConnectionsPerMinute,
                };
            }
            else
            {
                merged[name.ToLowerInvariant()] = provider;
            }
        }

        return merged;
    }
}
