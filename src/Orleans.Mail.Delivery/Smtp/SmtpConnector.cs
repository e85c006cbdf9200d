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
    /// STARTTLS used when offered with certificate checks off, as opportunistic TLS does). When the STARTTLS
    /// handshake fails, the host is connected to once more in cleartext without STARTTLS (RFC 7435 §3).
    /// </summary>
    /// <exception cref="LoopbackOnlyException">The host is outside loopback and LoopbackOnly is on.</exception>
    /// <exception cref="SocketException">No connection could be made.</exception>
    /// <exception cref="SmtpCommandException">The greeting or EHLO was refused.</exception>
    public Task<SmtpSession> ConnectAsync(SmtpEndpoint endpoint, CancellationToken cancellationToken) =>
        ConnectAsync(endpoint, requireTls: false, cancellationToken);

    /// <summary>
    /// Connects to <paramref name="endpoint"/> and returns a ready session (greeting read, EHLO done).
    /// With <paramref name="requireTls"/> false, STARTTLS (RFC 3207) is used when offered with any certificate
    /// (one that does not validate is recorded in <see cref="SmtpSession.CertificateProblem"/>), and a failed handshake is followed by a second connection in cleartext that does not send STARTTLS
    /// (opportunistic TLS, RFC 7435 §3; <see cref="SmtpSession.TlsFailure"/> records why). With it true, the
    /// session is TLS or nothing: no cleartext fallback, no command after EHLO is sent in cleartext, and the
    /// server's certificate must chain to a trusted root and name the MX host (RFC 8461 §4.2, RFC 6125; security
    /// review F15), or the handshake fails.
    /// </summary>
    /// <exception cref="LoopbackOnlyException">The host is outside loopback and LoopbackOnly is on.</exception>
    /// <exception cref="UnsafeDestinationException">The endpoint came from DNS and none of its addresses is public.</exception>
    /// <exception cref="SocketException">No connection could be made.</exception>
    /// <exception cref="SmtpCommandException">The greeting or EHLO was refused.</exception>
    /// <exception cref="TlsRequiredException"><paramref name="requireTls"/> is true and STARTTLS was not offered or failed.</exception>
    public async Task<SmtpSession> ConnectAsync(SmtpEndpoint endpoint, bool requireTls, CancellationToken cancellationToken)
    {
        if (requireTls)
        {
            try
            {
                return await ConnectOnceAsync(endpoint, SecureSocketOptions.StartTls, cancellationToken);
            }
            catch (Exception ex) when (IsTlsFailure(ex) || ex is NotSupportedException)
            {
                var reason = ex is NotSupportedException ? "STARTTLS was not offered" : $"the STARTTLS handshake failed: {ex.Message}";
                throw new TlsRequiredException($"TLS is required for this destination, but {reason}; nothing was sent in cleartext.", ex);
            }
        }

        try
        {
            return await ConnectOnceAsync(endpoint, SecureSocketOptions.StartTlsWhenAvailable, cancellationToken);
        }
        catch (Exception ex) when (IsTlsFailure(ex))
        {
            // Opportunistic TLS: a broken handshake must not block delivery; plaintext is what we would
            // have used had STARTTLS not been offered. A new connection, because the old one is unusable.
            var session = await ConnectOnceAsync(endpoint, SecureSocketOptions.None, cancellationToken);
            session.TlsFailure = ex.Message;
            return session;
        }
    }

    private static bool IsTlsFailure(Exception ex) => ex is SslHandshakeException or System.Security.Authentication.AuthenticationException;

    private async Task<SmtpSession> ConnectOnceAsync(SmtpEndpoint endpoint, SecureSocketOptions tls, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        // An endpoint with an MX name came from DNS, which the recipient's domain owner controls (F22).
        var fromDns = endpoint.MxName is not null;
        var candidates = LoopbackGuard.Filter(endpoint.Host, addresses, settings.LoopbackOnly, fromDns && !settings.AllowNonPublicMxAddresses);
        var requireValidCertificate = tls == SecureSocketOptions.StartTls;

        var socket = await ConnectSocketAsync(candidates, endpoint.Port, settings.SourceIp(), settings.ConnectTimeoutMs, cancellationToken);
        var tracker = new FinalDotTracker();
        // Records refused recipients instead of abandoning the transaction (partial RCPT acceptance).
        var client = new RecipientRecordingSmtpClient(tracker)
        {
            LocalDomain = settings.EhloName,
            Timeout = settings.CommandTimeoutMs,
        };
        var validation = new CertificateCheck(requireValidCertificate, settings.TrustedRootCertificates());
        client.ServerCertificateValidationCallback = validation.Validate;
        try
        {
            var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString();
            // The MX host name (not the IP literal) is what a TLS certificate names and what SNI should carry.
            await client.ConnectAsync(socket, endpoint.MxName ?? endpoint.Host, endpoint.Port, tls, cancellationToken);
            return new SmtpSession(client, endpoint, tracker, remote) { CertificateProblem = client.IsSecure ? validation.Problem : null };
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static async Task<Socket> ConnectSocketAsync(
        IReadOnlyList<IPAddress> addresses, int port, IPAddress? source, int timeoutMs, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in addresses)
        {
            // MailKit never sets TCP_NODELAY; without it Nagle holds the second write of every message
            // behind a delayed ACK (~40 ms per message). So the socket is made here, with NoDelay.
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (source is not null && source.AddressFamily == address.AddressFamily)
            {
                // The configured source IP (what the receiver sees); port 0: any free one.
                socket.Bind(new IPEndPoint(source, 0));
            }

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

/// <summary>
/// A destination that requires TLS (<see cref="SmtpOptions.RequireTlsDomains"/>) did not offer STARTTLS or
/// its handshake failed; the connection was closed without sending any mail in cleartext.
/// </summary>
public sealed class TlsRequiredException(string message, Exception inner) : Exception(message, inner);
