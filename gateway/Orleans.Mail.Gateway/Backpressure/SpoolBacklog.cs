using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Orleans.Mail.Gateway.Backpressure;

/// <summary>
/// The spool backlog last seen by this gateway (<see cref="BacklogWatcher"/> refreshes it every second) and the
/// check that turns new mail away while it is over <see cref="GatewayOptions.MaxBacklogMessages"/>. Until the
/// first count arrives nothing is turned away. Thread-safe.
/// </summary>
public sealed class SpoolBacklog(IOptionsMonitor<GatewayOptions> options)
{
    private long _messages = -1;

    /// <summary>The latest count of messages queued, deferred or in flight; -1 before the first.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Records a fresh count.</summary>
    public void Update(long messages) => Interlocked.Exchange(ref _messages, messages);

    /// <summary>Throws when the spool is over the bound; accepted mail is never affected, only what is offered now.</summary>
    /// <exception cref="RpcException"><c>RESOURCE_EXHAUSTED</c> with a <c>grpc-retry-pushback-ms</c> trailer (gRFC A6).</exception>
    public void ThrowIfFull()
    {
        var settings = options.CurrentValue;
        var messages = Messages;
        if (settings.MaxBacklogMessages <= 0 || messages < settings.MaxBacklogMessages)
        {
            return;
        }

        throw ResourceExhausted.Create(
            $"The spool is {messages:N0} messages behind (bound Gateway:MaxBacklogMessages = {settings.MaxBacklogMessages:N0}); " +
            $"nothing of this request was accepted after this point; retry in {settings.BacklogRetryAfterSeconds} s.",
            settings.BacklogRetryAfterSeconds);
    }
}
