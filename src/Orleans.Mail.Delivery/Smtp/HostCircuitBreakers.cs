using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;
using Polly;
using Polly.CircuitBreaker;

namespace Orleans.Mail.Delivery.Smtp;

/// <summary>
/// One Polly circuit breaker per MX host (address and port), so that a dead host does not get a storm of
/// connection attempts from every batch: after <see cref="SmtpOptions.BreakerFailures"/> failed connections
/// in a row within a minute, connections to it fail at once with <see cref="BrokenCircuitException"/> for
/// <see cref="SmtpOptions.BreakerOpenSeconds"/>; then one connection tests it (half-open). Only failures to
/// reach a talking server count (refused, timed out, dropped, protocol garbage); an SMTP reply such as a
/// 421 greeting is a server talking, handled by the pacer instead.
/// </summary>
public sealed class HostCircuitBreakers(IOptions<SmtpOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Host, int Port), ResiliencePipeline> _breakers = new();

    /// <summary>Connects through the host's breaker.</summary>
    /// <exception cref="BrokenCircuitException">The host's circuit is open: nothing was tried.</exception>
    /// <exception cref="Exception">Whatever <paramref name="connect"/> raises.</exception>
    public ValueTask<SmtpSession> ConnectAsync(SmtpEndpoint endpoint, Func<CancellationToken, Task<SmtpSession>> connect, CancellationToken cancellationToken) =>
        _breakers.GetOrAdd((endpoint.Host, endpoint.Port), _ => Create())
            .ExecuteAsync(async token => await connect(token), cancellationToken);

    private ResiliencePipeline Create()
    {
        var settings = options.Value;
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = settings.BreakerFailures,
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = TimeSpan.FromSeconds(settings.BreakerOpenSeconds),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    SocketException or IOException or TimeoutException or SmtpProtocolException => true,
                    // A connect timeout, not the caller giving up.
                    OperationCanceledException => !args.Context.CancellationToken.IsCancellationRequested,
                    _ => false,
                }),
            })
            .Build();
    }
}
