using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// Sends a batch of messages for one domain over pooled SMTP sessions, many transactions per connection.
/// A message is its own transaction unless it shares a <see cref="OutgoingMessage.GroupKey"/> and envelope
/// sender with others of the batch: those go as one transaction (MAIL once, one RCPT each, DATA once) of
/// at most <see cref="MaxRecipientsPerTransaction"/> recipients, with an outcome per recipient. Tries the
/// domain's hosts in order when a connection cannot be made, reconnects a bounded number of times when a
/// session breaks, and returns exactly one outcome per message, in the order of the messages.
/// </summary>
public sealed partial class SmtpBatchSender(IMailRouter router, SmtpSessionPool pool, ILogger<SmtpBatchSender> logger, TimeProvider? time = null)
{
    /// <summary>The <see cref="SendOutcome.Stage"/> of messages not sent because their batch ran out of its lease time.</summary>
    public const string LeaseStage = "lease";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private const int MaxReconnects = 3;

    /// <summary>The default of <see cref="MaxRecipientsPerTransaction"/>: RFC 5321 §4.5.3.1.8 has servers buffer at least 100 recipients.</summary>
    public const int DefaultMaxRecipientsPerTransaction = 100;

    /// <summary>
    /// The most RCPTs put in one transaction (default <see cref="DefaultMaxRecipientsPerTransaction"/>); larger
    /// groups are split. A server that answers "too many recipients" (<c>452 4.5.3</c>, or <c>552</c>,
    /// RFC 5321 §4.5.3.1.10) lowers it for the rest of the batch to the number it accepted, and the refused
    /// recipients are sent in the next transaction at once, without counting as a failure.
    /// </summary>
    public int MaxRecipientsPerTransaction { get; init; } = DefaultMaxRecipientsPerTransaction;

    /// <summary>Sends every message; never throws for SMTP or network failures (they become outcomes).</summary>
    /// <param name="domain">The recipient domain (lower-case A-label).</param>
    /// <param name="messages">The messages, sent in order (grouped messages go with the first of their group).</param>
    /// <param name="maxMessagesPerSession">Transactions one connection may carry before it is closed.</param>
    /// <param name="cancellationToken">Stops sending; unsent messages get a temporary outcome.</param>
    public Task<IReadOnlyList<SendOutcome>> SendAsync(
        string domain, IReadOnlyList<OutgoingMessage> messages, int maxMessagesPerSession, CancellationToken cancellationToken) =>
        SendAsync(domain, messages, maxMessagesPerSession, budget: null, startBefore: null, cancellationToken);

    /// <summary>
    /// Sends every message; never throws for SMTP or network failures (they become outcomes). A <c>421</c>
    /// (the server closing the channel, RFC 5321 §3.8) ends the use of that host for this batch: the next MX
    /// host is tried, else the messages not yet sent share the 421 outcome, so that a host refusing more
    /// sessions is not hammered with reconnections.
    /// </summary>
    /// <param name="domain">The recipient domain (lower-case A-label).</param>
    /// <param name="messages">The messages, sent in order (grouped messages go with the first of their group).</param>
    /// <param name="maxMessagesPerSession">Transactions one connection may carry before it is closed.</param>
    /// <param name="budget">The sessions the destination accepts from us over all its hosts, idle pooled ones included
    /// (<see cref="SmtpSessionPool.RentAsync(SmtpEndpoint, bool, SessionBudget, CancellationToken)"/>); null: no limit, counted per host.</param>
    /// <param name="startBefore">No transaction is started at or after this time (the messages' lease would run out
    /// while they are sent, and another worker could send them again): the rest come back not tried. Null: no limit.</param>
    /// <param name="cancellationToken">Stops sending; unsent messages get a temporary outcome.</param>
    public async Task<IReadOnlyList<SendOutcome>> SendAsync(
        string domain, IReadOnlyList<OutgoingMessage> messages, int maxMessagesPerSession, SessionBudget? budget, DateTimeOffset? startBefore,
        CancellationToken cancellationToken)
    {
        var route = await router.ResolveAsync(domain, cancellationToken);
        if (route.Failure is { } failure)
        {
            var kind = failure.Permanent ? SendResultKind.Permanent : SendResultKind.Temporary;
            return messages.Select(m => new SendOutcome(m.Id, "-", failure.Code, failure.Reply, kind, Stage: "route", Class: failure.Class)).ToArray();
        }

        var endpoints = route.Endpoints;
        var requireTls = pool.RequiresTls(domain);

        var work = new Work(messages, Math.Max(1, MaxRecipientsPerTransaction)) { StartBefore = startBefore };
        var reconnects = 0;
        string lastHost = "-";
        string lastError = "no connection attempted";
        var lastCode = 0;
        var lastStage = "connect";
        string? lastClass = null;
        int? lastOpen = null;
        var notTried = false;
        foreach (var endpoint in endpoints)
        {
            lastHost = endpoint.ToString();
            var sessionBudget = budget ?? SessionBudget.Unlimited(endpoint);
            while (work.HasPending && reconnects <= MaxReconnects && !cancellationToken.IsCancellationRequested)
            {
                if (work.PastStart(_time))
                {
                    break;
                }

                SmtpSession session;
                try
                {
                    session = await pool.RentAsync(endpoint, requireTls, sessionBudget, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    lastError = DescribeConnectFailure(ex);
                    (lastCode, lastStage) = ex is SmtpCommandException refused ? ((int)refused.StatusCode, "connect") : (0, "connect");
                    if (ex is SmtpProtocolException or IOException && lastCode == 0)
                    {
                        lastStage = "connect";
                    }
                    lastClass = ex switch
                    {
                        TlsRequiredException => "tls-required",
                        UnsafeDestinationException => "bad-domain",
                        _ => null,
                    };
                    lastOpen = pool.OpenSessionsInGroup(sessionBudget.GroupKey);
                    // An open circuit means nothing was tried: not an attempt (the host is resting, not failing us again).
                    notTried = ex is Polly.CircuitBreaker.BrokenCircuitException or ConnectionRateExceededException;
                    if (ex is Polly.CircuitBreaker.BrokenCircuitException)
                    {
                        (lastError, lastClass) = ($"not tried: {lastHost} failed repeatedly and is rested by its circuit breaker", "other-transient");
                    }
                    else if (ex is ConnectionRateExceededException rate)
                    {
                        (lastError, lastClass) = ($"not tried: {rate.Message}", "other-transient");
                    }

                    LogConnectFailed(logger, lastHost, lastError);
                    break;
                }

                if (session.TlsFailure is { } tlsFailure && session.MessagesSent == 0)
                {
                    LogTlsFallback(logger, lastHost, tlsFailure);
                }

                var healthy = await SendOverSessionAsync(session, work, maxMessagesPerSession, cancellationToken);
                await pool.ReturnAsync(session, healthy, maxMessagesPerSession, sessionBudget);
                if (work.Closing is { } closing)
                {
                    // 421: this host is closing on us; do not reconnect to it within this batch.
                    (lastError, lastCode, lastStage, lastClass, lastOpen) = (closing.Reply, closing.Code, closing.Stage, null, closing.OpenSessions);
                    work.Closing = null;
                    // The messages still pending were never offered to this host.
                    notTried = true;
                    break;
                }

                if (!healthy)
                {
                    reconnects++;
                }
            }

            if (!work.HasPending)
            {
                break;
            }
        }

        if (work.PastStart(_time))
        {
            // Out of time for this lease: what was not sent goes back to the queue untouched.
            (lastError, lastCode, lastStage, lastClass, lastOpen, notTried) =
                ("not sent: the batch ran out of its lease; back in the queue", 0, LeaseStage, "other-transient", null, true);
        }

        while (work.HasPending)
        {
            foreach (var index in work.Take())
            {
                work.Set(index, new SendOutcome(
                    messages[index].Id, lastHost, lastCode, lastError, SendResultKind.Temporary, Stage: lastStage, Class: lastClass, OpenSessions: lastOpen, NotTried: notTried));
            }
        }

        return work.Results();
    }

    /// <summary>
    /// The transactions still to send (indexes into the batch, one sender and content each) and the outcomes
    /// so far, shared across the sessions of one batch.
    /// </summary>
    private sealed class Work
    {
        private readonly IReadOnlyList<OutgoingMessage> _messages;
        private readonly LinkedList<List<int>> _pending = new();
        private readonly SendOutcome?[] _outcomes;

        public Work(IReadOnlyList<OutgoingMessage> messages, int limit)
        {
            _messages = messages;
            _outcomes = new SendOutcome?[messages.Count];
            Limit = limit;
            var groups = new Dictionary<(string Key, string Sender), List<int>>();
            var order = new List<List<int>>();
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                if (message.GroupKey is null)
                {
                    order.Add([i]);
                    continue;
                }

                var key = (message.GroupKey, message.Sender.Address.ToLowerInvariant());
                if (!groups.TryGetValue(key, out var group))
                {
                    groups[key] = group = [];
                    order.Add(group);
                }

                group.Add(i);
            }

            foreach (var transaction in order)
            {
                _pending.AddLast(transaction);
            }
        }

        /// <summary>The most recipients per transaction: the configured cap, lowered by a "too many recipients" reply.</summary>
        public int Limit { get; set; }

        public bool HasPending => _pending.Count > 0;

        /// <summary>No transaction starts at or after this time; null: no limit.</summary>
        public DateTimeOffset? StartBefore { get; init; }

        /// <summary>True when <see cref="StartBefore"/> has passed.</summary>
        public bool PastStart(TimeProvider time) => StartBefore is { } limit && time.GetUtcNow() >= limit;

        /// <summary>The outcome of a <c>421</c> that ended the current session, until the caller takes it.</summary>
        public SendOutcome? Closing { get; set; }

        public OutgoingMessage Message(int index) => _messages[index];

        /// <summary>
        /// The next transaction: at most <see cref="Limit"/> recipients, no address twice (MailKit sends each
        /// address once); the rest of a larger group stays first in line.
        /// </summary>
        public List<int> Take()
        {
            var next = _pending.First!.Value;
            _pending.RemoveFirst();
            var take = new List<int>();
            var rest = new List<int>();
            var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var index in next)
            {
                if (take.Count < Limit && addresses.Add(_messages[index].Recipient.Address))
                {
                    take.Add(index);
                }
                else
                {
                    rest.Add(index);
                }
            }

            if (rest.Count > 0)
            {
                _pending.AddFirst(rest);
            }

            return take;
        }

        /// <summary>Puts recipients first in line, to be sent in the very next transaction.</summary>
        public void Retry(List<int> indexes) => _pending.AddFirst(indexes);

        public void Set(int index, SendOutcome outcome) => _outcomes[index] = outcome;

        public SendOutcome[] Results() => _outcomes.Select(o => o!).ToArray();
    }

    private async Task<bool> SendOverSessionAsync(SmtpSession session, Work work, int max, CancellationToken cancellationToken)
    {
        while (work.HasPending && session.MessagesSent < max && !work.PastStart(_time))
        {
            if (!await SendTransactionAsync(session, work, work.Take(), cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sends one transaction; false when the session is no longer usable.</summary>
    private async Task<bool> SendTransactionAsync(SmtpSession session, Work work, List<int> indexes, CancellationToken cancellationToken)
    {
        var host = session.Endpoint.ToString();
        var ip = session.RemoteIp;
        var tls = session.Client.IsSecure;
        var tlsNote = session.TlsFailure is { } tlsFailure ? $"STARTTLS failed ({tlsFailure}); sent in cleartext"
            : session.CertificateProblem is { } certificate ? $"tls: unauthenticated (certificate: {certificate})"
            : null;
        var messages = new List<(int Index, OutgoingMessage Message)>(indexes.Count);
        foreach (var index in indexes)
        {
            var message = work.Message(index);
            if (NeedsSmtpUtf8(message) && (session.Client.Capabilities & SmtpCapabilities.UTF8) == 0)
            {
                // RFC 6531 §3.4: a non-ASCII local part needs SMTPUTF8; it cannot be downgraded (punycode is
                // for domains only) and must not be sent raw. Nothing is sent; the session stays usable.
                work.Set(index, new SendOutcome(
                    message.Id, host, 553, "553 5.6.7 SMTPUTF8 is required, but was not offered by host", SendResultKind.Permanent,
                    "mail", false, ip, tls, "protocol"));
                continue;
            }

            messages.Add((index, message));
        }

        if (messages.Count == 0)
        {
            return true;
        }

        MimeKit.MimeMessage mime;
        try
        {
            mime = messages[0].Message.Build();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Whatever goes wrong while building (bad stored content, a Liquid runtime error such as a
            // division by zero, the template step limit) is this message's permanent failure alone.
            foreach (var (index, message) in messages)
            {
                work.Set(index, new SendOutcome(message.Id, host, 0, $"message could not be built: {ex.Message}", SendResultKind.Permanent, "data", false, ip, tls));
            }

            return true;
        }

        var recording = session.Client as RecipientRecordingSmtpClient;
        recording?.BeginTransaction();
        var sender = messages[0].Message.Sender;
        var recipients = messages.Select(m => m.Message.Recipient).ToArray();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var reply = await session.Client.SendAsync(mime, sender, recipients, cancellationToken);
            session.MessagesSent++;
            var delivered = new SendOutcome(Guid.Empty, host, 250, "250 " + reply, SendResultKind.Delivered, "dot", false, ip, tls, TlsNote: tlsNote);
            Settle(work, messages, recording, delivered);
            return true;
        }
        catch (SmtpCommandException ex)
        {
            session.MessagesSent++;
            var code = (int)ex.StatusCode;
            var kind = code >= 500 ? SendResultKind.Permanent : SendResultKind.Temporary;
            var failed = new SendOutcome(Guid.Empty, host, code, $"{code} {ex.Message}", kind, StageOf(ex.ErrorCode), false, ip, tls, TlsNote: tlsNote);
            if (code == 421)
            {
                // The sessions the host still has from us, this closing one not counted.
                failed = failed with { OpenSessions = Math.Max(0, pool.OpenSessionsInGroup(session.BudgetGroup) - 1) };
                work.Closing = failed;
            }

            Settle(work, messages, recording, failed);
            return code != 421 && session.Client.IsConnected;
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var uncertain = session.Tracker.AwaitingFinalReply;
            var reply = uncertain ? $"connection lost after the final dot, no reply: {ex.Message}" : $"connection lost: {ex.Message}";
            var lost = new SendOutcome(Guid.Empty, host, 0, reply, SendResultKind.Temporary, uncertain ? "dot" : "data", uncertain, ip, tls, TlsNote: tlsNote);
            Settle(work, messages, recording, lost);
            return false;
        }
        finally
        {
            Telemetry.MailMetrics.TransactionDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// Gives each recipient of a transaction its outcome: a refused one its own RCPT reply, the accepted
    /// ones <paramref name="common"/> (the reply to the final dot, or the failure that ended the transaction).
    /// Recipients refused with "too many recipients" after others were accepted are not failed: they go
    /// first in line for the next transaction, and the batch's recipient limit drops to what was accepted.
    /// </summary>
    private static void Settle(
        Work work, List<(int Index, OutgoingMessage Message)> messages, RecipientRecordingSmtpClient? recording, SendOutcome common)
    {
        var rejected = new Dictionary<string, RejectedRecipient>(StringComparer.OrdinalIgnoreCase);
        foreach (var rejection in recording?.Rejected ?? [])
        {
            rejected.TryAdd(rejection.Mailbox.Address, rejection);
        }

        var accepted = messages.Count - messages.Count(m => rejected.ContainsKey(m.Message.Recipient.Address));
        var retry = new List<int>();
        foreach (var (index, message) in messages)
        {
            if (!rejected.TryGetValue(message.Recipient.Address, out var rejection))
            {
                work.Set(index, common with { Id = message.Id });
                continue;
            }

            if (accepted > 0 && IsTooManyRecipients(rejection))
            {
                retry.Add(index);
                continue;
            }

            // RFC 5321 §4.5.3.1.10: a 552 for too many recipients is to be treated as temporary.
            var kind = rejection.Code >= 500 && !IsTooManyRecipients(rejection) ? SendResultKind.Permanent : SendResultKind.Temporary;
            work.Set(index, common with
            {
                Id = message.Id, Code = rejection.Code, Reply = $"{rejection.Code} {rejection.Text}", Kind = kind,
                Stage = "rcpt", Uncertain = false,
            });
        }

        if (retry.Count > 0)
        {
            work.Limit = Math.Min(work.Limit, accepted);
            work.Retry(retry);
        }
    }

    /// <summary>
    /// <c>452</c> (RFC 5321 §4.5.3.1.10) or <c>552</c> with enhanced code X.5.3 (RFC 3463: too many
    /// recipients) or that text; a bare <c>452 4.2.2</c> (mailbox full) is not.
    /// </summary>
    private static bool IsTooManyRecipients(RejectedRecipient rejection) =>
        rejection.Code is 452 or 552
        && (rejection.Text.StartsWith("4.5.3", StringComparison.Ordinal) || rejection.Text.StartsWith("5.5.3", StringComparison.Ordinal)
            || rejection.Text.Contains("too many recipients", StringComparison.OrdinalIgnoreCase));

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
