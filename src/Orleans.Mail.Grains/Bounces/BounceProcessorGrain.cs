using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Mail.Bounces;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Bounces;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Bounces;

/// <summary>
/// Parses a DSN (<see cref="DsnParser"/>), classifies its recipients (<see cref="BounceInterpreter"/>) and records
/// the bounces of our messages (<see cref="BounceStore"/>). Our Message-IDs are <c>&lt;{uuid:N}@{Smtp:MessageIdDomain}&gt;</c>;
/// any other Message-ID is ignored.
/// </summary>
[StatelessWorker]
public sealed partial class BounceProcessorGrain(
    BounceInterpreter interpreter, BounceStore store, IOptions<SmtpOptions> smtpOptions, ILogger<BounceProcessorGrain> logger)
    : Grain, IBounceProcessorGrain
{
    /// <inheritdoc />
    public async Task<BounceReport> Process(byte[] rawMessage)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        var report = DsnParser.Parse(rawMessage);
        var wholeMessage = Math.Max(1, report.Recipients.Count);
        if (report.Ignored != DsnIgnoreReason.None)
        {
            LogIgnored(logger, report.Ignored.ToString(), report.OriginalMessageId ?? "-");
            return new BounceReport(0, 0, wholeMessage, 0);
        }

        if (OurMessageUuid(report.OriginalMessageId, smtpOptions.Value.MessageIdDomain) is not { } messageUuid)
        {
            LogNotOurs(logger, report.OriginalMessageId ?? "-");
            return new BounceReport(0, 0, wholeMessage, 0);
        }

        var notices = interpreter.Interpret(report);
        var delayed = 0;
        var bounces = new List<BounceRecord>();
        foreach (var notice in notices)
        {
            if (notice.Kind == BounceNoticeKind.Delay)
            {
                delayed++;
                LogDelayed(logger, messageUuid, notice.Recipient, notice.Class, notice.Reply);
            }
            else
            {
                bounces.Add(new BounceRecord(messageUuid, notice.Recipient, notice.Class, notice.Suppress, notice.Reply, notice.SmtpCode));
            }
        }

        var matched = await store.RecordAsync(bounces);
        var bounced = matched.Count(m => m);
        for (var i = 0; i < bounces.Count; i++)
        {
            if (matched[i])
            {
                LogBounced(logger, messageUuid, bounces[i].Recipient, bounces[i].Class, bounces[i].Suppress);
            }
            else
            {
                LogUnmatched(logger, messageUuid, bounces[i].Recipient);
            }
        }

        return new BounceReport(bounced, delayed, report.Recipients.Count - notices.Count, bounces.Count - bounced);
    }

    /// <summary>The uuid of <c>{uuid:N}@{domain}</c> when the domain is ours (ASCII case-insensitive), else null.</summary>
    internal static Guid? OurMessageUuid(string? messageId, string ourDomain)
    {
        if (messageId is null)
        {
            return null;
        }

        var id = messageId.Trim().Trim('<', '>');
        var at = id.LastIndexOf('@');
        return at > 0
            && string.Equals(id[(at + 1)..], ourDomain, StringComparison.OrdinalIgnoreCase)
            && Guid.TryParseExact(id[..at], "N", out var uuid)
            ? uuid
            : null;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "DSN ignored ({Reason}), original Message-ID {MessageId}")]
    private static partial void LogIgnored(ILogger logger, string reason, string messageId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "DSN ignored: Message-ID {MessageId} is not one of ours")]
    private static partial void LogNotOurs(ILogger logger, string messageId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "DSN delay notice for message {Message} to {Recipient} ({Class}): {Reply}")]
    private static partial void LogDelayed(ILogger logger, Guid message, string recipient, string @class, string reply);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "DSN bounce of message {Message} to {Recipient}: {Class}, suppressed {Suppress}")]
    private static partial void LogBounced(ILogger logger, Guid message, string recipient, string @class, bool suppress);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "DSN bounce of message {Message} to {Recipient} matched no spool row")]
    private static partial void LogUnmatched(ILogger logger, Guid message, string recipient);
}
