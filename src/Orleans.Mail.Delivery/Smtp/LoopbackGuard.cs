using System.Net;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>Refuses addresses outside loopback (127.0.0.0/8, ::1) when the <see cref="SmtpOptions.LoopbackOnly"/> switch is on.</summary>
public static class LoopbackGuard
{
    /// <summary>The addresses that may be connected to: all of them, or only loopback ones under LoopbackOnly.</summary>
    /// <exception cref="LoopbackOnlyException">LoopbackOnly is on and no address is loopback.</exception>
    public static IReadOnlyList<IPAddress> Filter(string host, IReadOnlyList<IPAddress> addresses, bool loopbackOnly)
    {
        if (!loopbackOnly)
        {
            return addresses;
        }

        var allowed = addresses.Where(IPAddress.IsLoopback).ToArray();
        return allowed.Length > 0 ? allowed : throw new LoopbackOnlyException(host, addresses);
    }
}

/// <summary>A connection was refused by the LoopbackOnly safety switch.</summary>
public sealed class LoopbackOnlyException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"LoopbackOnly: refused to connect to {host} ({string.Join(", ", addresses)}): outside 127.0.0.0/8.");
