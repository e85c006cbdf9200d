using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>Drives the real <see cref="SmtpBatchSender"/> (pool, connector, MailKit) against one loopback endpoint.</summary>
internal static class SmtpCaseHarness
{
    public const string Greeting = "220 mx.example.net ESMTP\r\n";

    public const string Ehlo = "250-mx.example.net\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static OutgoingMessage Message(string recipient, Func<MimeMessage>? build = null) => new(
        Guid.NewGuid(), MailboxAddress.Parse("bounce@mailer.example.com"), MailboxAddress.Parse(recipient),
        build ?? (() => new MimeMessage
        {
            From = { MailboxAddress.Parse("bounce@mailer.example.com") },
            To = { MailboxAddress.Parse(recipient) },
            Subject = "case test",
            Body = new TextPart("plain") { Text = "hello\n" },
        }));

    public static async Task<IReadOnlyList<SendOutcome>> SendAsync(
        string endpoint, IReadOnlyList<OutgoingMessage> messages, Action<SmtpOptions>? configure = null, string domain = "example.org")
    {
        await using var pool = Pool(configure);
        return await SendAsync(pool, endpoint, messages, domain);
    }

    /// <summary>A pool with test settings (loopback only, short timeouts); the caller disposes it.</summary>
    public static SmtpSessionPool Pool(Action<SmtpOptions>? configure = null)
    {
        var settings = new SmtpOptions { LoopbackOnly = true, ConnectTimeoutMs = 5000, CommandTimeoutMs = 10_000, EhloName = "mailer.example.com" };
        configure?.Invoke(settings);
        var smtp = Options.Create(settings);
        return new SmtpSessionPool(new SmtpConnector(smtp), smtp, TimeProvider.System);
    }

    public static async Task<IReadOnlyList<SendOutcome>> SendAsync(
        SmtpSessionPool pool, string endpoint, IReadOnlyList<OutgoingMessage> messages, string domain = "example.org")
    {
        var sender = new SmtpBatchSender(new FixedRouter(SmtpEndpoint.Parse(endpoint)), pool, NullLogger<SmtpBatchSender>.Instance);
        return await sender.SendAsync(domain, messages, 10, Cancel).WaitAsync(TimeSpan.FromSeconds(60), Cancel);
    }

    /// <summary>Routes every domain to one endpoint.</summary>
    internal sealed class FixedRouter(SmtpEndpoint endpoint) : IMailRouter
    {
        public ValueTask<RouteResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(RouteResolution.To([endpoint]));
    }
}
