using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Orleans.Mail.Silo.Bounces;

/// <summary>
/// The inbound bounce listener: an SMTP endpoint on the silo that accepts delivery status notifications (RFC 3464)
/// for any recipient, as the bounce address's MX would hand them on. Bound from the <c>Bounces</c> section.
/// </summary>
public sealed class BounceListenerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Bounces";

    /// <summary>The message <see cref="IsValid"/> failing reports.</summary>
    public const string ValidationMessage = "Bounces:ListenIp must be an IP address (IPv4 or IPv6).";

    /// <summary>TCP port the listener accepts SMTP on; 0 turns the listener off. Default 0 (off).</summary>
    [Range(0, 65535)]
    public int ListenPort { get; set; }

    /// <summary>The local IP address the listener binds to (0.0.0.0 or :: for every address). Default 127.0.0.1.</summary>
    [Required]
    public string ListenIp { get; set; } = "127.0.0.1";

    /// <summary>Largest message accepted, in bytes (advertised as SIZE and enforced). Default 10,485,760 (10 MiB).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Whether the listener runs (<see cref="ListenPort"/> is not 0).</summary>
    public bool Enabled => ListenPort != 0;

    /// <summary>Whether the settings the data annotations cannot check are valid: <see cref="ListenIp"/> parses as an IP address.</summary>
    public bool IsValid() => IPAddress.TryParse(ListenIp, out _);
}
