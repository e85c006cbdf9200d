using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Orleans.Mail.Delivery.Routing;

/// <summary>
/// The DNS servers and limits used for MX look-ups (RFC 5321 §5.1). Bound from the <c>Dns</c> configuration
/// section and validated on start; read once when <see cref="MxResolver"/> is created, so changes need a restart.
/// </summary>
public sealed class DnsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Dns";

    /// <summary>The default DNS port used when a server is given without one.</summary>
    public const int DefaultPort = 53;

    /// <summary>
    /// The recursive DNS servers to ask, as <c>ip:port</c> (<c>[v6]:port</c> for IPv6; the port may be left
    /// out for 53), tried in random order with fail-over. Default empty: the system's resolvers
    /// (<c>/etc/resolv.conf</c>). Starts empty because the configuration binder appends to a pre-filled list.
    /// </summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>How long to wait for one DNS answer, in milliseconds (50–60000). Default 5000.</summary>
    [Range(50, 60_000)]
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>
    /// How many times a query that timed out (or got SERVFAIL) is repeated on the same server before the next
    /// server is tried (0–10). Default 1.
    /// </summary>
    [Range(0, 10)]
    public int Retries { get; set; } = 1;

    /// <summary>Parses one <see cref="Servers"/> entry: an IP address literal with an optional port (default 53).</summary>
    /// <exception cref="FormatException">Not an IP address literal with an optional port in 1–65535.</exception>
    public static IPEndPoint ParseServer(string text)
    {
        var endpoint = SmtpEndpoint.Parse(text, DefaultPort);
        return IPAddress.TryParse(endpoint.Host, out var address)
            ? new IPEndPoint(address, endpoint.Port)
            : throw new FormatException($"DNS server '{text}' is not an IP address literal with an optional port (ip:port, [v6]:port).");
    }

    /// <summary>True when every <see cref="Servers"/> entry parses with <see cref="ParseServer"/>.</summary>
    public bool ServersAreValid()
    {
        try
        {
            foreach (var server in Servers)
            {
                ParseServer(server);
            }

            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
