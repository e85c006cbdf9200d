using System.Buffers;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Mail.Bounces;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Orleans.Mail.Silo.Bounces;

/// <summary>
/// Runs the inbound bounce listener when <see cref="BounceListenerOptions.ListenPort"/> is set: an SMTP server
/// (no TLS, no authentication) accepting any sender and recipient. Each received message is handed to
/// <see cref="IBounceProcessorGrain.Process"/>; a processing failure answers <c>451 4.3.0</c> so the sending MTA
/// retries, success <c>250</c>. Messages that are not DSNs are accepted and ignored by the grain.
/// </summary>
public sealed partial class BounceListenerService(
    IOptions<BounceListenerOptions> options,
    IGrainFactory grainFactory,
    ILogger<BounceListenerService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var endpoint = new IPEndPoint(IPAddress.Parse(settings.ListenIp), settings.ListenPort);
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(Dns.GetHostName())
            .Endpoint(e => e.Endpoint(endpoint))
            .MaxMessageSize(settings.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(serverOptions, services);
        LogListening(logger, endpoint.ToString());
        try
        {
            await server.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<SmtpResponse> ProcessAsync(ReadOnlySequence<byte> buffer, string sender)
    {
        try
        {
            var report = await grainFactory.GetGrain<IBounceProcessorGrain>(0).Process(buffer.ToArray());
            LogProcessed(logger, sender, buffer.Length, report.Bounced, report.Delayed, report.Ignored, report.Unmatched);
            return SmtpResponse.Ok;
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, sender, buffer.Length);
            return new SmtpResponse((SmtpReplyCode)451, "4.3.0 Bounce processing failed; try again later");
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Bounce listener accepting SMTP on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information,
        Message = "Bounce message from <{Sender}> ({Bytes} bytes): {Bounced} bounced, {Delayed} delayed, {Ignored} ignored, {Unmatched} unmatched")]
    private static partial void LogProcessed(ILogger logger, string sender, long bytes, int bounced, int delayed, int ignored, int unmatched);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Bounce message from <{Sender}> ({Bytes} bytes) could not be processed; answered 451 4.3.0")]
    private static partial void LogFailed(ILogger logger, Exception exception, string sender, long bytes);

    private sealed class Store(BounceListenerService service) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var from = transaction.From;
            var sender = from is null || string.IsNullOrEmpty(from.User) ? string.Empty : $"{from.User}@{from.Host}";
            return service.ProcessAsync(buffer, sender);
        }
    }
}
