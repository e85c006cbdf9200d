namespace Orleans.Mail.Delivery.Routing;

/// <summary>Finds the hosts to try for a recipient domain, in order. The seam where MX look-ups plug in.</summary>
public interface IMailRouter
{
    /// <summary>
    /// The endpoints to try for <paramref name="domain"/> (lower-case A-label), best first, or a
    /// <see cref="RouteFailure"/> saying whether to bounce or defer. Never throws for an unroutable domain.
    /// </summary>
    ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default);
}
