using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// Sends a batch of messages for one domain over pooled SMTP sessions: one transaction per message, many
/// per connection. Tries the domain's hosts in order when a connection cannot be made, reconnects a
/// bounded number of times when a session breaks, and returns exactly one outcome per message.
/// </summary>
public sealed partial class SmtpBatchSender(IMailRouter router, SmtpSessionPool pool, ILogger<SmtpBatchSender> logger)
{
    private const int MaxReconnects = 3;

    /// <summary>Sends every message; never throws for SMTP or network failures (they become outcomes).</summary>
    /// <param name="domain">The recipient domain (lower-case A-label).</param>
    /// <param name="messages">The messages, sent in order.</param>
    /// <param name="maxMessagesPerSession">Messages one connection may carry before it is closed.</param>
    /// <param name="cancellationToken">Stops sending; unsent messages get a temporary outcome.</param>
    public async Task<IReadOnlyList<SendOutcome>> SendAsync(
        string domain, IReadOnlyList<OutgoingMessage> messages, int maxMessagesPerSession, CancellationToken cancellationToken)
    {
        var outcomes = new List<SendOutcome>(messages.Count);
        var route = await router.ResolveAsync(domain, cancellationToken);
        if (route.Failure is { } failure)
        {
            var kind = failure.Permanent ? SendResultKind.Permanent : SendResultKind.Temporary;
            return messages.Select(m => new SendOutcome(m.Id, "-", failure.Code, failure.Reply, kind, Stage: "route", Class: failure.Class)).ToArray();
        }

        var endpoints = route.Endpoints;
        var requireTls = pool.RequiresTls(domain);

        var cursor = new Cursor();
        var reconnects = 0;
        string lastHost = "-";
        string lastError = "no connection attempted";
        var lastCode = 0;
        var lastStage = "connect";
        string? lastClass = null;
        foreach (var endpoint in endpoints)
        {
            lastHost = endpoint.ToString();
            while (cursor.Next < messages.Count && reconnects <= MaxReconnects && !cancellationToken.IsCancellationRequested)
            {
                SmtpSession session;
                try
                {
                    session = await pool.RentAsync(endpoint, requireTls, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    lastError = DescribeConnectFailure(ex);
                    (lastCode, lastStage) = ex is SmtpCommandException refused ? ((int)refused.StatusCode, "ehlo") : (0, "connect");
                    if (ex is SmtpProtocolException or IOException && lastCode == 0)
                    {
                        lastStage = "connect";
                    }
                    lastClass = ex is TlsRequiredException ? "tls-required" : null;
                    LogConnectFailed(logger, lastHost, lastError);
                    break;
                }

                if (session.TlsFailure is { } tlsFailure && session.MessagesSent == 0)
                {
                    LogTlsFallback(logger, lastHost, tlsFailure);
                }

                var healthy = await SendOverSessionAsync(session, messages, cursor, outcomes, maxMessagesPerSession, cancellationToken);
                pool.Return(session, healthy, maxMessagesPerSession);
                if (!healthy)
                {
                    reconnects++;
                }
            }

            if (cursor.Next >= messages.Count)
            {
                break;
            }
        }

        for (; cursor.Next < messages.Count; cursor.Next++)
        {
            outcomes.Add(new SendOutcome(messages[cursor.Next].Id, lastHost, lastCode, lastError, SendResultKind.Temporary, Stage: lastStage, Class: lastClass));
        }

        return outcomes;
    }

    /// <summary>The index of the next message to send, shared across the sessions of one batch.</summary>
    private sealed class Cursor
    {
        public int Next;
    }

    private static async Task<bool> SendOverSessionAsync(
        SmtpSession session, IReadOnlyList<OutgoingMessage> messages, Cursor cursor, List<SendOutcome> outcomes, int max, CancellationToken cancellationToken)
    {
        var host = session.Endpoint.ToString();
        var ip = session.RemoteIp;
        var tls = session.Client.IsSecure;
        while (cursor.Next < messages.Count && session.MessagesSent < max)
        {
            var message = messages[cursor.Next];
            cursor.Next++;
            if (NeedsSmtpUtf8(message) && (session.Client.Capabilities & SmtpCapabilities.UTF8) == 0)
            {
                // RFC 6531 §3.4: a non-ASCII local part needs SMTPUTF8; it cannot be downgraded (punycode is
                // for domains only) and must not be sent raw. Nothing is sent; the session stays usable.
                outcomes.Add(new SendOutcome(
                    message.Id, host, 553, "553 5.6.7 SMTPUTF8 is required, but was not offered by host", SendResultKind.Permanent,
                    "mail", false, ip, tls, "protocol"));
                continue;
            }

            MimeKit.MimeMessage mime;
            try
            {
                mime = message.Build();
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or MimeKit.ParseException or ArgumentException)
            {
                outcomes.Add(new SendOutcome(message.Id, host, 0, $"message could not be built: {ex.Message}", SendResultKind.Permanent, "data", false, ip, tls));
                continue;
            }

            try
            {
                var reply = await session.Client.SendAsync(mime, message.Sender, [message.Recipient], cancellationToken);
                session.MessagesSent++;
                outcomes.Add(new SendOutcome(message.Id, host, 250, "250 " + reply, SendResultKind.Delivered, "dot", false, ip, tls));
            }
            catch (SmtpCommandException ex)
            {
                session.MessagesSent++;
                var code = (int)ex.StatusCode;
                var kind = code >= 500 ? SendResultKind.Permanent : SendResultKind.Temporary;
                outcomes.Add(new SendOutcome(message.Id, host, code, $"{code} {ex.Message}", kind, StageOf(ex.ErrorCode), false, ip, tls));
                if (code == 421 || !session.Client.IsConnected)
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var uncertain = session.Tracker.AwaitingFinalReply;
                var reply = uncertain ? $"connection lost after the final dot, no reply: {ex.Message}" : $"connection lost: {ex.Message}";
                outcomes.Add(new SendOutcome(message.Id, host, 0, reply, SendResultKind.Temporary, uncertain ? "dot" : "data", uncertain, ip, tls));
                return false;
            }
        }

        return true;
    }

    private static bool NeedsSmtpUtf8(OutgoingMessage message) =>
        !Ascii.IsValid(message.Sender.LocalPart) || !Ascii.IsValid(message.Recipient.LocalPart);

    private static string StageOf(SmtpErrorCode error) => error switch
    {
        SmtpErrorCode.SenderNotAccepted => "mail",
        SmtpErrorCode.RecipientNotAccepted => "rcpt",
        SmtpErrorCode.MessageNotAccepted => "dot",
        _ => "data",
    };

    private static string DescribeConnectFailure(Exception ex) => ex switch
    {
        SocketException socket => $"connection failed: {socket.SocketErrorCode}",
        SmtpCommandException command => $"{(int)command.StatusCode} {command.Message}",
        _ => $"connection failed: {ex.Message}",
    };

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "SMTP connection to {Host} failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "STARTTLS to {Host} failed ({Reason}); delivering in cleartext (opportunistic TLS)")]
    private static partial void LogTlsFallback(ILogger logger, string host, string reason);
}
