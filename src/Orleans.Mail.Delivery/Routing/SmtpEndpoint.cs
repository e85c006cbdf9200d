namespace Orleans.Mail.Delivery.Routing;

/// <summary>A host and TCP port to deliver to, e.g. an MX host on port 25 or a smarthost.</summary>
/// <param name="Host">A host name or IP address literal.</param>
/// <param name="Port">TCP port, 1–65535.</param>
/// <param name="MxName">
/// For an endpoint found by an MX look-up: the MX host name (or the domain itself for an implicit MX,
/// RFC 5321 §5.1) whose address <paramref name="Host"/> is, kept for logs. Default null (configured routes).
/// </param>
public sealed record SmtpEndpoint(string Host, int Port, string? MxName = null)
{
    /// <summary>Parses <c>host:port</c> (or <c>host</c> with <paramref name="defaultPort"/>); <c>[v6]:port</c> for IPv6 literals.</summary>
    /// <exception cref="FormatException">Not a host with an optional port in 1–65535.</exception>
    public static SmtpEndpoint Parse(string text, int defaultPort = 25)
    {
        var value = text.Trim();
        string host;
        var port = defaultPort;
        var colon = value.LastIndexOf(':');
        if (value.StartsWith('[') && value.Contains(']'))
        {
            var close = value.IndexOf(']');
            host = value[1..close];
            if (close + 1 < value.Length)
            {
                port = value[close + 1] == ':'
                    ? ParsePort(value[(close + 2)..], text)
                    : throw new FormatException($"'{text}' has text after ']' that is not ':port'.");
            }
        }
        else if (colon >= 0 && value.IndexOf(':') == colon)
        {
            host = value[..colon];
            port = ParsePort(value[(colon + 1)..], text);
        }
        else
        {
            host = value;
        }

        if (host.Length == 0)
        {
            throw new FormatException($"'{text}' has no host; expected host:port.");
        }

        return new SmtpEndpoint(host, port);
    }

    private static int ParsePort(string port, string text) =>
        int.TryParse(port, out var value) && value is > 0 and < 65536
            ? value
            : throw new FormatException($"'{text}' has no valid port (1-65535).");

    /// <summary>
    /// <c>host:port</c> (<c>[v6]:port</c> for IPv6 literals); with an <see cref="MxName"/> the address is
    /// always bracketed after the name, e.g. <c>mx1.example[127.0.0.2]:25</c>.
    /// </summary>
    public override string ToString() => MxName is not null
        ? $"{MxName}[{Host}]:{Port}"
        : Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
