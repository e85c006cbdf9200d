namespace Orleans.Mail.Delivery.Routing;

/// <summary>Where mail for a domain goes. Bound from the <c>Routing</c> configuration section.</summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Routing";

    /// <summary>
    /// Smarthost mode: when set (<c>host:port</c>), every domain without its own route goes to this relay,
    /// like Postfix's <c>relayhost</c>. Default empty (MX mode).
    /// </summary>
    public string? Smarthost { get; set; }

    /// <summary>Per-domain routes, lower-case domain → <c>host:port</c>; checked before the smarthost. Default none.</summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The TCP port for hosts found by MX look-up (MX mode, when a domain has neither a route nor a smarthost),
    /// 1–65535, validated on start: 25 in production (RFC 5321 §4.5.4.2); tests use a high port. Default 25.
    /// </summary>
    public int MxPort { get; set; } = 25;
}
