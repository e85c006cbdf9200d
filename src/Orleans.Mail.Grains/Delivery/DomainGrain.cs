using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// The pacer of one destination domain. While there is due work, a grain timer claims messages from the
/// spool within the domain's budget — at most <see cref="PacingOptions.MaxConnectionsPerDomain"/> batches
/// (one connection each) in flight, and a token bucket of <see cref="PacingOptions.MessagesPerSecondPerDomain"/>
/// holding at most one second of tokens — and hands each batch to a delivery worker. The grain is the only
/// claimer for its domain, so its limits hold cluster-wide. Only a real SMTP attempt counts as an attempt:
/// messages that wait for tokens stay queued and untouched.
/// </summary>
public sealed partial class DomainGrain(
    DeliveryQueue queue, DeliverySlots slots, IOptions<PacingOptions> options, TimeProvider time, ILogger<DomainGrain> logger)
    : Grain, IDomainGrain
{
    private const int IdleTicksBeforeSleep = 50;
    private IGrainTimer? _pump;
    private int _batchesInFlight;
    private double _tokens;
    private DateTimeOffset _lastRefill;
    private int _idleTicks;
    private double _share = 1.0;
    private int? _connectionCap;
    private int _cleanBatches;
    private DateTimeOffset _restUntil = DateTimeOffset.MinValue;

    private string Domain => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public Task Wake()
    {
        _idleTicks = 0;
        if (_pump is null)
        {
            var settings = options.Value;
            _lastRefill = time.GetUtcNow();
            _tokens = Math.Min(settings.MessagesPerSecondPerDomain, settings.MessagesPerConnection);
            _pump = this.RegisterGrainTimer(
                PumpAsync,
                new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(settings.PumpIntervalMs)) { Interleave = false, KeepAlive = true });
        }

        return Task.CompletedTask;
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Refill(settings);
        if (time.GetUtcNow() < _restUntil)
        {
            // Resting after a reputation deferral: nothing is claimed, so nothing is attempted; the timer
            // keeps the grain (and the rest) alive.
            _idleTicks = 0;
            return;
        }

        var lease = TimeSpan.FromSeconds(settings.LeaseSeconds);
        var connectionLimit = Math.Max(1, Math.Min(_connectionCap ?? int.MaxValue, (int)Math.Floor(settings.MaxConnectionsPerDomain * _share)));
        while (_batchesInFlight < connectionLimit && _tokens >= 1 && !cancellationToken.IsCancellationRequested && slots.TryAcquire())
        {
            var want = (int)Math.Min(settings.MessagesPerConnection, Math.Floor(_tokens));
            IReadOnlyList<LeasedMessage> leased;
            try
            {
                leased = await queue.ClaimAsync(Domain, want, lease, cancellationToken);
            }
            catch
            {
                slots.Release();
                throw;
            }

            if (leased.Count == 0)
            {
                slots.Release();
                _idleTicks++;
                break;
            }

            _idleTicks = 0;
            _tokens -= leased.Count;
            _batchesInFlight++;
            _ = RunBatchAsync(new DeliveryBatch(Domain, leased, _connectionCap ?? 0));
            if (leased.Count < want)
            {
                break;
            }
        }

        if (_idleTicks >= IdleTicksBeforeSleep && _batchesInFlight == 0)
        {
            // Nothing due for a while: stop polling until the dispatcher wakes us again.
            _pump?.Dispose();
            _pump = null;
        }
    }

    private void Refill(PacingOptions settings)
    {
        var now = time.GetUtcNow();
        var elapsed = (now - _lastRefill).TotalSeconds;
        _lastRefill = now;
        var rate = settings.MessagesPerSecondPerDomain * _share;
        var capacity = Math.Max(1, rate);
        _tokens = Math.Min(capacity, _tokens + elapsed * rate);
    }

    private async Task RunBatchAsync(DeliveryBatch batch)
    {
        try
        {
            // Stateless workers run on this silo; the batch goes over one SMTP connection.
            var result = await GrainFactory.GetGrain<IDeliveryWorkerGrain>(0).Deliver(batch);
            Adapt(result);
        }
        catch (Exception ex)
        {
            // The messages stay leased; the dispatcher returns them to the queue when the lease expires.
            LogBatchFailed(logger, ex, Domain, batch.Messages.Count);
        }
        finally
        {
            _batchesInFlight--;
            slots.Release();
        }
    }

    /// <summary>
    /// Adapts to what the destination said: a reputation deferral rests it for
    /// <see cref="PacingOptions.ReputationRestSeconds"/>; a throttle signal halves connections and rate
    /// (multiplicative decrease); a clean batch raises them by <see cref="PacingOptions.RecoveryStep"/>
    /// up to the configured ceiling (additive increase).
    /// </summary>
    private void Adapt(DeliveryBatchResult result)
    {
        var settings = options.Value;
        if (result.ReputationDeferred > 0)
        {
            _restUntil = time.GetUtcNow() + TimeSpan.FromSeconds(settings.ReputationRestSeconds);
            LogRested(logger, Domain, settings.ReputationRestSeconds);
        }

        if (result.ConnectionCap is { } cap)
        {
            // The host told us how many sessions it takes from us: that many, not half of what we had.
            var limit = Math.Max(1, cap);
            if (limit < (_connectionCap ?? int.MaxValue))
            {
                _connectionCap = limit;
                LogConnectionCap(logger, Domain, limit);
            }
        }

        if (result.Throttled > 0)
        {
            _cleanBatches = 0;
            if (result.ConnectionCap is null)
            {
                _share = Math.Max(0.05, _share / 2);
                LogSlowed(logger, Domain, _share);
            }
        }
        else if (result.Delivered > 0)
        {
            if (_share < 1)
            {
                _share = Math.Min(1, _share + settings.RecoveryStep);
            }

            if (_connectionCap is { } current && ++_cleanBatches >= settings.ConnectionRecoveryBatches)
            {
                _cleanBatches = 0;
                _connectionCap = current + 1 >= settings.MaxConnectionsPerDomain ? null : current + 1;
            }
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Site {Site} deferred us for our reputation; resting it for {Seconds} s")]
    private static partial void LogRested(ILogger logger, string site, int seconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Site {Site} asked us to slow down; now at {Share:P0} of its connections and rate")]
    private static partial void LogSlowed(ILogger logger, string site, double share);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Site {Site} refused more connections; now at most {Connections} sessions to it, idle ones included")]
    private static partial void LogConnectionCap(ILogger logger, string site, int connections);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Delivery batch of {Count} messages for {Site} failed; they return to the queue when their lease expires")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string site, int count);
}
