namespace Orleans.Mail.Delivery.Routing;

/// <summary>Why a domain has no usable route, phrased as the SMTP reply a relay would give.</summary>
/// <param name="Permanent">True: bounce at once (e.g. null MX, NXDOMAIN); false: defer and try again later.</param>
/// <param name="Code">The basic reply code to record, e.g. 556 or 451.</param>
/// <param name="EnhancedCode">The RFC 3463 code, e.g. <c>5.1.10</c> for a null MX (RFC 7505 §3.2).</param>
/// <param name="Class">The failure class in the project's vocabulary, e.g. <c>bad-domain</c> or <c>dns-temporary</c>.</param>
/// <param name="Reason">Human-readable detail.</param>
public sealed record RouteFailure(bool Permanent, int Code, string EnhancedCode, string Class, string Reason)
{
    /// <summary>The failure as reply text: <c>code enhanced reason</c>.</summary>
    public string Reply => $"{Code} {EnhancedCode} {Reason}";
}

/// <summary>The hosts to try for a domain, best first, or why there are none.</summary>
public sealed record RouteResolution
{
    private RouteResolution(IReadOnlyList<SmtpEndpoint> endpoints, RouteFailure? failure)
    {
        Endpoints = endpoints;
        Failure = failure;
    }

    /// <summary>The endpoints in the order to try them; empty when <see cref="Failure"/> is set.</summary>
    public IReadOnlyList<SmtpEndpoint> Endpoints { get; }

    /// <summary>Why there is no route, or null.</summary>
    public RouteFailure? Failure { get; }

    /// <summary>A route over these endpoints (at least one).</summary>
    /// <exception cref="ArgumentException">No endpoints.</exception>
    public static RouteResolution To(IReadOnlyList<SmtpEndpoint> endpoints) =>
        endpoints.Count > 0 ? new(endpoints, null) : throw new ArgumentException("A route needs at least one endpoint.", nameof(endpoints));

    /// <summary>No route, for the given reason.</summary>
    public static RouteResolution Failed(RouteFailure failure) => new([], failure);
}
