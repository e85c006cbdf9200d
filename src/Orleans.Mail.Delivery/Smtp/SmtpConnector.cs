using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>Opens SMTP sessions: resolves the host, applies the LoopbackOnly switch, connects and says EHLO.</summary>
public sealed class SmtpConnector(IOptions<SmtpOptions> options)
{
    /// <summary>
    /// Connects to <paramref name="endpoint"/> and returns a ready session (greeting read, EHLO done,
    /// STARTTLS used when offered with certificate checks off, as opportunistic TLS does).
    /// </summary>
    /// <exception cref="LoopbackOnlyException">The host is outside loopback and LoopbackOnly is on.</exception>
    /// <exception cref="SocketException">No connection could be made.</exception>
    /// <exception cref="SmtpCommandException">The greeting or EHLO was refused.</exception>
    public async Task<SmtpSession> ConnectAsync(SmtpEndpoint endpoint, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var candidates = LoopbackGuard.Filter(endpoint.Host, addresses, settings.LoopbackOnly);

        var socket = await ConnectSocketAsync(candidates, endpoint.Port, settings.ConnectTimeoutMs, cancellationToken);
        var tracker = new FinalDotTracker();
        var client = new SmtpClient(tracker)
        {
            LocalDomain = settings.EhloName,
            Timeout = settings.CommandTimeoutMs,
            // Opportunistic TLS to an MX: any certificate is better than plaintext (RFC 7435).
            ServerCertificateValidationCallback = (_, _, _, _) => true,
        };
        try
        {
            var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString();
            // The MX host name (not the IP literal) is what a TLS certificate names and what SNI should carry.
            await client.ConnectAsync(socket, endpoint.MxName ?? endpoint.Host, endpoint.Port, SecureSocketOptions.StartTlsWhenAvailable, cancellationToken);
            return new SmtpSession(client, endpoint, tracker, remote);
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static async Task<Socket> ConnectSocketAsync(IReadOnlyList<IPAddress> addresses, int port, int timeoutMs, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in addresses)
        {
            // MailKit never sets TCP_NODELAY; without it Nagle holds the second write of every message
            // behind a delayed ACK (~40 ms per message). So the socket is made here, with NoDelay.
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(timeoutMs);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                last = ex is OperationCanceledException ? new SocketException((int)SocketError.TimedOut) : ex;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
