using System.ComponentModel.DataAnnotations;

namespace Orleans.Mail.Silo.Extensions;

/// <summary>Where this silo listens and what cluster it joins. Bound from the <c>Silo</c> section.</summary>
public sealed class SiloHostingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Silo";

    /// <summary>The cluster's id; every silo and gateway of one cluster uses the same. Default <c>orleans-mail</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "orleans-mail";

    /// <summary>The service id, stable across deployments (grain state and reminders are keyed by it). Default <c>orleans-mail</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "orleans-mail";

    /// <summary>The IP address other silos and clients reach this silo at. Default 127.0.0.1.</summary>
    [Required]
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo TCP port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client (gateway) TCP port. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Apply the database schema at start-up (DbUp; already-applied scripts are skipped). Default true.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// TCP port of this silo's Prometheus endpoint (<c>http://AdvertisedIp:port/metrics</c>, OpenTelemetry: the
    /// engine's <c>orleans_mail_*</c> metrics, Orleans' own and .NET runtime ones). Unauthenticated: keep it on
    /// a private address or behind a firewall. 0 (the default) turns it off.
    /// </summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; }
}
