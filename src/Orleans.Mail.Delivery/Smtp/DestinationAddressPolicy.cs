using System.Net;
using System.Net.Sockets;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// Which addresses a DNS answer may send us to (security review F22): in production, an MX or A record that points
/// at loopback, a private network (RFC 1918, RFC 6598 shared space), link-local (169.254/16, fe80::/10, where cloud
/// metadata services live), unique-local IPv6 (fc00::/7), multicast, reserved or unspecified space is refused before
/// any connection, so a domain owner cannot make the silos talk to hosts that trust the silos' network.
/// Configured routes and smarthosts are the operator's own choice and are not checked.
/// </summary>
public static class DestinationAddressPolicy
{
    /// <summary>True when <paramref name="address"/> is a globally routable unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224   // this network, private, loopback, multicast and reserved
                || (b[0] == 100 && (b[1] & 0xC0) == 64)  // 100.64.0.0/10, shared address space (RFC 6598)
                || (b[0] == 169 && b[1] == 254)          // link-local
                || (b[0] == 172 && (b[1] & 0xF0) == 16)  // 172.16.0.0/12
                || (b[0] == 192 && b[1] == 168)          // 192.168.0.0/16
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2) // IETF protocol assignments, TEST-NET-1
                || (b[0] == 198 && (b[1] & 0xFE) == 18)  // 198.18.0.0/15, benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)   // TEST-NET-2
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));  // TEST-NET-3
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                  // fc00::/7 unique-local
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)); // 2001:db8::/32 documentation
        }

        return false;
    }
}

/// <summary>
/// A DNS answer pointed at an address that is not public (see <see cref="DestinationAddressPolicy"/>); nothing was
/// connected to. Delivery treats it as a <c>bad-domain</c> deferral.
/// </summary>
public sealed class UnsafeDestinationException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"refused to connect to {host} ({string.Join(", ", addresses)}): its DNS answer points at loopback, private or link-local addresses (Smtp:AllowNonPublicMxAddresses is off)");
