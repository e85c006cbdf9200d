namespace Orleans.Mail.Delivery.Routing;

/// <summary>Finds the hosts to try for a recipient domain, in order. The seam where MX look-ups plug in.</summary>
public interface IMailRouter
{
    /// <summary>The endpoints to try for <paramref name="domain"/> (lower-case A-label), best first.</summary>
    /// <exception cref="NoRouteException">The domain has no route (for now: no route map entry, no smarthost).</exception>
    ValueTask<IReadOnlyList<SmtpEndpoint>> ResolveAsync(string domain, CancellationToken cancellationToken = default);
}

/// <summary>No host is known for a domain; the message is deferred so that a configuration fix can still deliver it.</summary>
public sealed class NoRouteException(string domain)
    : Exception($"No route for domain '{domain}': configure Routing:Smarthost or Routing:Routes:{domain}.")
{
    /// <summary>The domain without a route.</summary>
    public string Domain { get; } = domain;
}
