using System.Net;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>Refuses addresses outside loopback (127.0.0.0/8, ::1) when the <see cref="SmtpOptions.LoopbackOnly"/> switch is on.</summary>
public static class LoopbackGuard
{
    /// <summary>
    /// The addresses that may be connected to: under LoopbackOnly only loopback ones; otherwise, for an endpoint
    /// found through DNS (<paramref name="publicOnly"/>), only public ones (<see cref="DestinationAddressPolicy"/>);
    /// otherwise all of them.
    /// </summary>
    /// <exception cref="LoopbackOnlyException">LoopbackOnly is on and no address is loopback.</exception>
    /// <exception cref="UnsafeDestinationException"><paramref name="publicOnly"/> is true and no address is public.</exception>
    public static IReadOnlyList<IPAddress> Filter(string host, IReadOnlyList<IPAddress> addresses, bool loopbackOnly, bool publicOnly = false)
    {
        if (loopbackOnly)
        {
            var loopback = addresses.Where(IPAddress.IsLoopback).ToArray();
            return loopback.Length > 0 ? loopback : throw new LoopbackOnlyException(host, addresses);
        }

        if (!publicOnly)
        {
            return addresses;
        }

        var allowed = addresses.Where(DestinationAddressPolicy.IsPublic).ToArray();
        return allowed.Length > 0 ? allowed : throw new UnsafeDestinationException(host, addresses);
    }
}

/// <summary>A connection was refused by the LoopbackOnly safety switch.</summary>
public sealed class LoopbackOnlyException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"LoopbackOnly: refused to connect to {host} ({string.Join(", ", addresses)}): outside 127.0.0.0/8.");
