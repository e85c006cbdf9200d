using Microsoft.Extensions.Options;

namespace Orleans.Mail.Delivery.Routing;

/// <summary>
/// Routes a domain by configuration first and DNS last: the per-domain route map (<see cref="RoutingOptions.Routes"/>),
/// then the smarthost (<see cref="RoutingOptions.Smarthost"/>), then the domain's MX records through
/// <see cref="IMxResolver"/> (MX mode, RFC 5321 §5.1), whose failures (null MX, NXDOMAIN, DNS errors) are returned as they are.
/// </summary>
public sealed class StaticMailRouter(IOptionsMonitor<RoutingOptions> options, IMxResolver mxResolver) : IMailRouter
{
    /// <inheritdoc />
    /// <exception cref="FormatException">The matching route or the smarthost is not <c>host:port</c> (validated on start).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during an MX look-up.</exception>
    public ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default)
    {
        var routing = options.CurrentValue;
        if (routing.Routes.TryGetValue(domain, out var route))
        {
            return ValueTask.FromResult(RouteResolution.To([SmtpEndpoint.Parse(route)]));
        }

        if (!string.IsNullOrWhiteSpace(routing.Smarthost))
        {
            return ValueTask.FromResult(RouteResolution.To([SmtpEndpoint.Parse(routing.Smarthost)]));
        }

        return mxResolver.ResolveAsync(domain, cancellationToken);
    }
}
