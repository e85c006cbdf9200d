using Microsoft.Extensions.Options;

namespace Orleans.Mail.Delivery.Routing;

/// <summary>Routes by configuration only: the per-domain route map first, then the smarthost.</summary>
public sealed class StaticMailRouter(IOptionsMonitor<RoutingOptions> options) : IMailRouter
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SmtpEndpoint>> ResolveAsync(string domain, CancellationToken cancellationToken = default)
    {
        var routing = options.CurrentValue;
        if (routing.Routes.TryGetValue(domain, out var route))
        {
            return ValueTask.FromResult<IReadOnlyList<SmtpEndpoint>>([SmtpEndpoint.Parse(route)]);
        }

        if (!string.IsNullOrWhiteSpace(routing.Smarthost))
        {
            return ValueTask.FromResult<IReadOnlyList<SmtpEndpoint>>([SmtpEndpoint.Parse(routing.Smarthost)]);
        }

        throw new NoRouteException(domain);
    }
}
