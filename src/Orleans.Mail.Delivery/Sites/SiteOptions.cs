namespace Orleans.Mail.Delivery.Sites;

/// <summary>
/// One mailbox provider: the MX host suffixes that identify it and, optionally, its own limits. Every
/// domain whose MX hosts end in one of the suffixes belongs to the provider's site and shares its budget
/// (a company domain hosted by Google shares Google's).
/// </summary>
public sealed class ProviderSite
{
    /// <summary>MX host name suffixes, e.g. <c>google.com</c> matches <c>aspmx.l.google.com</c> (whole labels only, case-insensitive).</summary>
    public string[] MxSuffixes { get; set; } = [];

    /// <summary>Messages per second for the whole site; null: <c>Pacing:MessagesPerSecondPerDomain</c>.</summary>
    public double? MessagesPerSecond { get; set; }

    /// <summary>Concurrent SMTP connections for the whole site, cluster-wide; null: <c>Pacing:MaxConnectionsPerDomain</c>.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Messages one connection carries before it is closed; null: <c>Pacing:MessagesPerConnection</c>.</summary>
    public int? MessagesPerConnection { get; set; }

    /// <summary>Messages per minute for the whole site (a cap over each UTC minute, on top of the per-second rate); null: none.</summary>
    public int? MessagesPerMinute { get; set; }

    /// <summary>Messages per hour for the whole site (each UTC hour); null: none.</summary>
    public int? MessagesPerHour { get; set; }

    /// <summary>Messages per day for the whole site (each UTC day), e.g. a warm-up allowance; null: none.</summary>
    public int? MessagesPerDay { get; set; }

    /// <summary>New SMTP connections per UTC minute to the site from each silo (idle sessions are reused without counting); null: none.</summary>
    public int? ConnectionsPerMinute { get; set; }

    /// <summary>How long an idle connection to the site is kept open, in ms; null: <c>Smtp:IdleConnectionMs</c>.</summary>
    public int? IdleConnectionMs { get; set; }

    /// <summary>The message given when <see cref="IsValid"/> fails.</summary>
    public const string ValidationMessage =
        "Sites:Providers: MxSuffixes must be non-empty host names; MessagesPerSecond 0.01-100000, MaxConnections 1-1000, MessagesPerConnection 1-100000, " +
        "MessagesPerMinute/Hour/Day and ConnectionsPerMinute at least 1, IdleConnectionMs 100-600000 when set.";

    /// <summary>True when every set value is in range and every suffix is a plausible host name.</summary>
    public bool IsValid() =>
        MxSuffixes.All(s => !string.IsNullOrWhiteSpace(s) && !s.Contains(' ', StringComparison.Ordinal))
        && MessagesPerSecond is null or (>= 0.01 and <= 100_000)
        && MaxConnections is null or (>= 1 and <= 1000)
        && MessagesPerConnection is null or (>= 1 and <= 100_000)
        && MessagesPerMinute is null or >= 1
        && MessagesPerHour is null or >= 1
        && MessagesPerDay is null or >= 1
        && ConnectionsPerMinute is null or >= 1
        && IdleConnectionMs is null or (>= 100 and <= 600_000);
}

/// <summary>
/// How destinations are grouped into sites, each paced as one (section <c>Sites</c>). A domain belongs to
/// the first provider whose MX suffix matches one of its MX hosts; otherwise its site is its set of MX hosts
/// (domains sharing exactly the same MX hosts share a site); a domain routed by configuration (route map or
/// smarthost) or without a usable MX is its own site.
/// </summary>
public sealed class SiteOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Sites";

    /// <summary>
    /// Providers by name (lower case). Built in: google, microsoft, yahoo, apple, comcast, gmx, orange,
    /// mimecast, proofpoint, zoho, yandex, mailru, fastmail, proton; configuration adds providers or changes a
    /// built-in one's suffixes and limits (<c>Sites:Providers:google:MessagesPerSecond=20</c>).
    /// </summary>
    public Dictionary<string, ProviderSite> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When false, every domain is its own site (no grouping). Default true.</summary>
    public bool GroupByMx { get; set; } = true;
}
