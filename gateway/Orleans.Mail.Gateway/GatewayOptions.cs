using System.ComponentModel.DataAnnotations;

namespace Orleans.Mail.Gateway;

/// <summary>The gateway's listeners, callers and limits. Bound from the <c>Gateway</c> section.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Gateway";

    /// <summary>The address all listeners bind to. Default 127.0.0.1 (loopback only).</summary>
    [Required]
    public string ListenIp { get; set; } = "127.0.0.1";

    /// <summary>The gRPC port (HTTP/2). Default 5080.</summary>
    [Range(1, 65535)]
    public int GrpcPort { get; set; } = 5080;

    /// <summary>The admin port (HTTP/1.1 and HTTP/2) serving the Orleans dashboard under <c>/dashboard</c>. Default 5081.</summary>
    [Range(1, 65535)]
    public int AdminPort { get; set; } = 5081;

    /// <summary>
    /// The public port (HTTP/1.1 and HTTP/2, plain: put a TLS reverse proxy in front, RFC 8058 needs https) serving only
    /// the one-click unsubscribe endpoint <c>POST /u/{token}</c>, without API key. Opened only when
    /// <c>Unsubscribe:Secret</c> is set. Default 5082.
    /// </summary>
    [Range(1, 65535)]
    public int PublicPort { get; set; } = 5082;

    /// <summary>A PFX certificate for TLS on the gRPC port and the admin port; empty for plain HTTP (loopback only). Default empty.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>The PFX password, if any.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>API keys mapped to tenant ids: <c>"Gateway:ApiKeys:&lt;key&gt;": "&lt;tenant&gt;"</c>. At least one.</summary>
    [MinLength(1)]
    public Dictionary<string, string> ApiKeys { get; set; } = [];

    /// <summary>
    /// Tenants whose API keys may call the operator API (<c>SiteService</c>: site status, policies, suspend and
    /// resume), e.g. <c>"Gateway:OperatorTenants:0": "ops"</c>. Default none: the operator API answers
    /// PERMISSION_DENIED to everyone.
    /// </summary>
    public string[] OperatorTenants { get; set; } = [];

    /// <summary>User name for the admin port (HTTP Basic). Required.</summary>
    [Required]
    public string AdminUser { get; set; } = string.Empty;

    /// <summary>Password for the admin port (HTTP Basic). Required, at least 8 characters.</summary>
    [Required, MinLength(8)]
    public string AdminPassword { get; set; } = string.Empty;

    /// <summary>
    /// Failed admin logins (HTTP Basic) one source address may make for one user name within
    /// <see cref="AdminLockoutSeconds"/> before it is locked out (answered 429 with <c>Retry-After</c>). Default 5.
    /// </summary>
    [Range(1, 1000)]
    public int AdminMaxFailedLogins { get; set; } = 5;

    /// <summary>How long a failed admin login counts, and how long a lock-out lasts after the last failure, in s. Default 60.</summary>
    [Range(1, 86_400)]
    public int AdminLockoutSeconds { get; set; } = 60;

    /// <summary>Largest accepted message or campaign content (subject, bodies and headers, UTF-8), in bytes. Default 10,485,760 (10 MiB).</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The cluster to join (must match the silos'). Default <c>orleans-mail</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "orleans-mail";

    /// <summary>The service id (must match the silos'). Default <c>orleans-mail</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "orleans-mail";

    /// <summary>
    /// Back-pressure bound: while the spool holds at least this many messages queued, deferred or in flight
    /// (all tenants), <c>SendMessage</c> and <c>AddRecipients</c> answer <c>RESOURCE_EXHAUSTED</c> with a retry
    /// hint instead of accepting more. 0 turns the bound off. Default 5,000,000.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxBacklogMessages { get; set; } = 5_000_000;

    /// <summary>
    /// The retry hint sent with <c>RESOURCE_EXHAUSTED</c>, in s: the <c>grpc-retry-pushback-ms</c> trailer
    /// (gRFC A6) and the error text. Default 30.
    /// </summary>
    [Range(1, 3600)]
    public int BacklogRetryAfterSeconds { get; set; } = 30;

    /// <summary>
    /// How many batches of one <c>AddRecipients</c> stream may be committing at once, in batches. While one
    /// batch's transaction waits for its commit, the next is already being validated and written; answers and
    /// rejected rows are still reported in batch order. 1 commits one batch at a time. Default 4.
    /// </summary>
    [Range(1, 16)]
    public int AddRecipientsBatchesInFlight { get; set; } = 4;
}
