using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Mail.Campaigns;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Sites;
using Orleans.Mail.Delivery.Telemetry;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// The pacer of one destination site (<see cref="ISiteGrain"/>). While there is due work, a grain timer
/// claims messages from the spool within the site's budget — at most its connection limit of batches (one
/// connection each) in flight, and a token bucket of its messages/s holding at most one second of tokens —
/// taking the site's domains in turn, and hands each batch to a delivery worker. The grain is the only
/// claimer for its site, so its limits hold cluster-wide. Limits come from the site's provider entry
/// (<see cref="SiteOptions.Providers"/>) or else the <c>Pacing</c> defaults. Only a real SMTP attempt counts
/// as an attempt: messages that wait for tokens stay queued and untouched.
/// </summary>
public sealed partial class SiteGrain(
    [PersistentState("site", "sites")] IPersistentState<SiteRecord> record,
    DeliveryQueue queue, DeliverySlots slots, SiteResolver sites, IOptions<PacingOptions> options, TimeProvider time, ILogger<SiteGrain> logger)
    : Grain, ISiteGrain
{
    private const int IdleTicksBeforeSleep = 50;
    private const int RepliesKept = 10;
    private static readonly TimeSpan LaneRefresh = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DepthRefresh = TimeSpan.FromSeconds(10);
    private DateTimeOffset _depthCountedAt = DateTimeOffset.MinValue;
    private static readonly TimeSpan ExpediteSpacing = TimeSpan.FromMilliseconds(10);
    private DateTimeOffset _lastPumpAt = DateTimeOffset.MinValue;

    /// <summary>How long after the last transactional message a site keeps one connection free of campaign batches.</summary>
    private static readonly TimeSpan TransactionalReserve = TimeSpan.FromSeconds(10);
    private DateTimeOffset _transactionalSeenAt = DateTimeOffset.MinValue;
    private long _backlog;
    private readonly WeightedShares<SiteLane> _shares = new();
    private DateTimeOffset _lanesRefreshedAt = DateTimeOffset.MinValue;
    private readonly List<string> _expedited = [];
    private readonly Dictionary<Guid, int> _weights = [];
    private readonly VolumeCaps _volume = new();
    private readonly HashSet<string> _knownDomains = [];
    private readonly LinkedList<SiteReply> _lastReplies = new();
    private bool _probeInFlight;
    private readonly List<string> _domains = [];
    private readonly Dictionary<string, int> _emptyClaims = [];
    private IGrainTimer? _pump;
    private int _batchesInFlight;
    private readonly HashSet<int> _busySlots = [];
    private long[] _slotMessages = [];
    private int _nextSlot;
    private double _tokens;
    private DateTimeOffset _lastRefill;
    private int _idleTicks;
    private double _share = 1.0;
    private int? _connectionCap;
    private int _cleanBatches;
    private DateTimeOffset _restUntil = DateTimeOffset.MinValue;

    private string Site => this.GetPrimaryKeyString();

    /// <summary>The site's ceilings: the operator's policy, else its provider's limits, else the Pacing defaults.</summary>
    private (double Rate, int Connections, int PerConnection) Ceilings()
    {
        var settings = options.Value;
        var provider = sites.ProviderSettings(Site);
        var policy = record.State.Policy;
        return (policy?.MessagesPerSecond ?? provider?.MessagesPerSecond ?? settings.MessagesPerSecondPerDomain,
            policy?.MaxConnections ?? provider?.MaxConnections ?? settings.MaxConnectionsPerDomain,
            policy?.MessagesPerConnection ?? provider?.MessagesPerConnection ?? settings.MessagesPerConnection);
    }

    /// <summary>A transactional message on its first attempt claimed more than <see cref="PacingOptions.TransactionalLateMs"/> after it was accepted.</summary>
    private bool IsLateTransactional(LeasedMessage message) =>
        message.CampaignId is null && message.Attempts == 0
        && time.GetUtcNow() - message.CreatedAt > TimeSpan.FromMilliseconds(options.Value.TransactionalLateMs);

    /// <summary>
    /// True when campaign batches must stop short of the site's last connection: transactional mail was
    /// expedited here within <see cref="TransactionalReserve"/> and the site has at least two connections.
    /// </summary>
    private bool KeepsConnectionForTransactional(int connectionLimit) =>
        connectionLimit >= 2 && _batchesInFlight >= connectionLimit - 1 && time.GetUtcNow() - _transactionalSeenAt < TransactionalReserve;

    /// <summary>How many of <paramref name="connectionLimit"/> connections carry short campaign batches (<see cref="PacingOptions.ShortBatchMessages"/>).</summary>
    private static int ShortBatchConnections(int connectionLimit) => connectionLimit < 2 ? 0 : Math.Max(1, connectionLimit / 8);

    private int ConnectionLimit(int ceiling) => Math.Max(1, Math.Min(_connectionCap ?? int.MaxValue, (int)Math.Floor(ceiling * _share)));

    /// <summary>True while an operator's or a policy block's suspension holds; ends a timed one that has run out.</summary>
    private bool IsSuspended(out bool probing)
    {
        probing = false;
        var state = record.State;
        if (!state.Suspended)
        {
            return false;
        }

        if (state.SuspendedUntil is { } until && time.GetUtcNow() >= until)
        {
            if (!state.ProbeBeforeResume)
            {
                state.Suspended = false;
                state.SuspendedUntil = null;
                state.SuspendReason = string.Empty;
                return false;
            }

            // A policy block's window is over: one message goes first; its outcome decides.
            probing = true;
            return false;
        }

        return true;
    }

    /// <inheritdoc />
    public Task<long> GetBacklog() => Task.FromResult(Interlocked.Read(ref _backlog));

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        MailMetrics.ForgetSpoolDepth(Site);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task Wake(IReadOnlyList<string> domains)
    {
        _idleTicks = 0;
        foreach (var domain in domains)
        {
            _knownDomains.Add(domain);
            if (!_domains.Contains(domain))
            {
                // Served at once through its catch-all lane; its campaign lanes come with the next refresh.
                _domains.Add(domain);
                _shares.Add(new SiteLane(domain, null), 1);
                _lanesRefreshedAt = DateTimeOffset.MinValue;
            }

            _emptyClaims[domain] = 0;
        }

        if (_pump is null)
        {
            var (rate, _, perConnection) = Ceilings();
            _lastRefill = time.GetUtcNow();
            _tokens = Math.Min(Math.Max(1, rate * options.Value.BurstSeconds), perConnection);
            _pump = this.RegisterGrainTimer(
                PumpAsync,
                new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(options.Value.PumpIntervalMs)) { Interleave = false, KeepAlive = true });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task Expedite(IReadOnlyList<string> domains)
    {
        _transactionalSeenAt = time.GetUtcNow();
        await Wake(domains);
        foreach (var domain in domains)
        {
            if (!_expedited.Contains(domain))
            {
                _expedited.Add(domain);
            }
        }

        // Claim now rather than at the next tick (up to PumpIntervalMs later): someone waits for this message.
        // Not when every connection is busy or a pump has just run: then the next tick (or the batch ending)
        // serves it, and a burst of sends does not queue one database claim per message in this grain.
        var (_, connections, _) = Ceilings();
        if (_batchesInFlight < ConnectionLimit(connections) && time.GetUtcNow() - _lastPumpAt >= ExpediteSpacing)
        {
            await PumpAsync(CancellationToken.None);
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        _lastPumpAt = time.GetUtcNow();
        var settings = options.Value;
        var (rate, connections, perConnection) = Ceilings();
        Refill(rate);
        if (time.GetUtcNow() < _restUntil || IsSuspended(out var probing) || (probing && (_probeInFlight || _batchesInFlight > 0)))
        {
            // Resting, suspended, or waiting for the probe: nothing is claimed, so nothing is attempted; the
            // timer keeps the grain (and the wait) alive.
            _idleTicks = 0;
            return;
        }

        var lease = TimeSpan.FromSeconds(settings.LeaseSeconds);
        var connectionLimit = probing ? 1 : ConnectionLimit(connections);
        var provider = sites.ProviderSettings(Site);
        var allowance = _volume.Allowance(time.GetUtcNow(), provider?.MessagesPerMinute, provider?.MessagesPerHour, provider?.MessagesPerDay);
        if (probing)
        {
            perConnection = 1;
        }
        if (time.GetUtcNow() - _lanesRefreshedAt >= LaneRefresh)
        {
            await RefreshLanesAsync(cancellationToken);
        }

        // Lanes found empty this tick sit out until the next one.
        var drained = new HashSet<SiteLane>();
        var claimedAny = false;
        while (_batchesInFlight < connectionLimit && _tokens >= 1 && !cancellationToken.IsCancellationRequested)
        {
            if (!NextLane(drained, out var lane, out var expedited))
            {
                break;
            }

            if (!expedited && KeepsConnectionForTransactional(connectionLimit))
            {
                // Transactional mail came in lately: campaign batches leave the last connection free, so the
                // next message someone waits for is claimed at once instead of after a campaign batch ends.
                break;
            }

            var want = (int)Math.Min(Math.Min(perConnection, Math.Floor(_tokens)), allowance);
            if (settings.ShortBatchMessages > 0 && _batchesInFlight >= connectionLimit - ShortBatchConnections(connectionLimit))
            {
                // The site's last connections carry short batches only (an expedited claim too, which would fill up
                // with campaign mail behind its transactional messages): one is free again soon for the next one.
                want = Math.Min(want, settings.ShortBatchMessages);
            }

            if (expedited && connectionLimit >= 2 && _batchesInFlight >= connectionLimit - 1)
            {
                // The connection kept for transactional mail: its claim must not fill up with the lane's campaign
                // messages behind the transactional ones, or it would be a full campaign batch by another name.
                want = Math.Min(want, Math.Max(1, settings.ShortBatchMessages));
            }

            if (want <= 0)
            {
                // A minute, hour or day cap is reached: nothing more until its window rolls over.
                break;
            }

            if (!slots.TryAcquire(urgent: expedited))
            {
                break;
            }

            IReadOnlyList<LeasedMessage> leased;
            try
            {
                // The domain's transactional messages come first, then the lane's campaign (null: any).
                leased = await queue.ClaimAsync(lane.Domain, want, lease, lane.Campaign, cancellationToken);
            }
            catch
            {
                slots.Release();
                throw;
            }

            _shares.Charge(lane, lane.Campaign is null ? leased.Count : leased.Count(m => m.CampaignId == lane.Campaign));
            if (leased.Count == 0)
            {
                slots.Release();
                drained.Add(lane);
                if (++_emptyClaims[lane.Domain] >= IdleTicksBeforeSleep)
                {
                    // Nothing due there for a while: out of the rotation until the dispatcher wakes it again.
                    ForgetDomain(lane.Domain);
                }

                continue;
            }

            if (settings.TransactionalLateMs > 0 && leased.Any(IsLateTransactional))
            {
                // Transactional mail reaches its claim late: this silo is busy, so its campaigns yield for a while.
                slots.NoteTransactionalDemand();
            }

            claimedAny = true;
            allowance -= leased.Count;
            _volume.Record(time.GetUtcNow(), leased.Count);
            _emptyClaims[lane.Domain] = 0;
            if (leased.Count < want)
            {
                drained.Add(lane);
            }

            _tokens -= leased.Count;
            _batchesInFlight++;
            _probeInFlight = probing;
            // The last third of the lease is kept for the transaction under way (RFC 5321 allows 10 min for the final reply).
            var startBefore = time.GetUtcNow() + lease * 2 / 3;
            var slot = TakeSlot(connectionLimit, leased.Count);
            var batch = new DeliveryBatch(
                lane.Domain, leased, connectionLimit, perConnection, Site, startBefore, provider?.IdleConnectionMs ?? 0, provider?.ConnectionsPerMinute ?? 0, slot);
            _ = RunBatchAsync(batch, slot, probing);
            if (probing)
            {
                break;
            }
        }

        _idleTicks = claimedAny || _batchesInFlight > 0 ? 0 : _idleTicks + 1;
        var sleeping = _idleTicks >= IdleTicksBeforeSleep && _batchesInFlight == 0;
        if (sleeping || time.GetUtcNow() - _depthCountedAt >= DepthRefresh)
        {
            // The spool-depth metric of this site: counted every 10 s while active, and once more on sleeping.
            _depthCountedAt = time.GetUtcNow();
            _backlog = await queue.CountWaitingAsync(_knownDomains.ToArray(), cancellationToken);
            MailMetrics.SetSpoolDepth(Site, _backlog);
        }

        if (sleeping)
        {
            // Nothing due for a while: stop polling until the dispatcher wakes us again.
            _pump?.Dispose();
            _pump = null;
        }
    }

    /// <summary>
    /// The lane to claim from next: an expedited domain's (transactional mail waits there) first, else the
    /// lane whose weighted share is furthest behind. False when every lane is drained for this tick.
    /// </summary>
    private bool NextLane(HashSet<SiteLane> drained, out SiteLane lane, out bool expedited)
    {
        expedited = true;
        while (_expedited.Count > 0)
        {
            var domain = _expedited[0];
            _expedited.RemoveAt(0);
            if (_domains.Contains(domain))
            {
                // The domain's own lane whose turn it is; its transactional messages are claimed ahead of it.
                if (!_shares.TryNext(l => l.Domain == domain && !drained.Contains(l), out lane))
                {
                    lane = new SiteLane(domain, null);
                }

                return true;
            }
        }

        expedited = false;
        return _shares.TryNext(l => !drained.Contains(l), out lane);
    }

    /// <summary>
    /// Rebuilds the site's lanes from the spool: one per (domain, campaign) with messages waiting, weighted so
    /// that each campaign's lanes together weigh its <see cref="CampaignDefinition.Weight"/> — campaigns share
    /// the site by weight however many of its domains each one spans — and a catch-all lane (weight 1) for a
    /// domain with no campaign waiting (its transactional mail).
    /// </summary>
    private async Task RefreshLanesAsync(CancellationToken cancellationToken)
    {
        _lanesRefreshedAt = time.GetUtcNow();
        var pairs = await queue.LanesWaitingAsync(_domains, cancellationToken);
        var domainsPerCampaign = pairs.GroupBy(p => p.Campaign).ToDictionary(g => g.Key, g => g.Count());
        var lanes = new List<(SiteLane, double)>(pairs.Count + _domains.Count);
        foreach (var (domain, campaign) in pairs)
        {
            lanes.Add((new SiteLane(domain, campaign), await WeightOfAsync(campaign) / (double)domainsPerCampaign[campaign]));
        }

        var withCampaigns = pairs.Select(p => p.Domain).ToHashSet(StringComparer.Ordinal);
        lanes.AddRange(_domains.Where(d => !withCampaigns.Contains(d)).Select(d => (new SiteLane(d, null), 1.0)));
        _shares.Set(lanes);
    }

    private void ForgetDomain(string domain)
    {
        _domains.Remove(domain);
        _emptyClaims.Remove(domain);
        _expedited.Remove(domain);
        foreach (var lane in _shares.Keys.Where(l => l.Domain == domain).ToArray())
        {
            _shares.Remove(lane);
        }
    }

    private async Task<int> WeightOfAsync(Guid campaign)
    {
        if (!_weights.TryGetValue(campaign, out var weight))
        {
            try
            {
                weight = (await GrainFactory.GetGrain<ICampaignGrain>(MailIds.Campaign(campaign)).GetDefinition()).Weight;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A campaign we cannot read still gets its turn, at the lowest weight.
                weight = 1;
            }

            _weights[campaign] = weight;
        }

        return weight;
    }

    private void Refill(double ceiling)
    {
        var now = time.GetUtcNow();
        var elapsed = (now - _lastRefill).TotalSeconds;
        _lastRefill = now;
        var rate = ceiling * _share;
        var capacity = Math.Max(1, rate * options.Value.BurstSeconds);
        _tokens = Math.Min(capacity, _tokens + elapsed * rate);
    }

    /// <summary>
    /// The free connection slot below <paramref name="connectionLimit"/> that has carried the fewest messages (in
    /// rotation among equals), so every slot — and every silo the slots are placed on — carries an equal share
    /// even when some slots finish sooner (those on the pacer's own silo do) and so catch the bigger batches
    /// claimed after a pause. There is always one free: fewer batches are in flight than the limit.
    /// </summary>
    private int TakeSlot(int connectionLimit, int messages)
    {
        if (_slotMessages.Length < connectionLimit)
        {
            Array.Resize(ref _slotMessages, connectionLimit);
        }

        var best = -1;
        for (var i = 0; i < connectionLimit; i++)
        {
            var slot = (_nextSlot + i) % connectionLimit;
            if (!_busySlots.Contains(slot) && (best < 0 || _slotMessages[slot] < _slotMessages[best]))
            {
                best = slot;
            }
        }

        if (best < 0)
        {
            // Unreachable while batches in flight < limit; a slot beyond the limit still keeps one batch per slot.
            best = connectionLimit;
            while (_busySlots.Contains(best))
            {
                best++;
            }
        }
        else
        {
            _slotMessages[best] += messages;
        }

        _busySlots.Add(best);
        _nextSlot = best + 1;
        return best;
    }

    private async Task RunBatchAsync(DeliveryBatch batch, int slot, bool probe)
    {
        try
        {
            // The slot's grain runs on the silo the slot is placed on; the batch goes over one SMTP connection there.
            var result = await GrainFactory.GetGrain<IDeliverySlotGrain>(DeliverySlotKey.Of(Site, slot)).Deliver(batch);
            await AdaptAsync(batch.Domain, result, probe);
        }
        catch (Exception ex)
        {
            // The messages stay leased; the dispatcher returns them to the queue when the lease expires.
            LogBatchFailed(logger, ex, Site, batch.Messages.Count);
        }
        finally
        {
            _batchesInFlight--;
            _busySlots.Remove(slot);
            if (probe)
            {
                _probeInFlight = false;
            }

            slots.Release();
        }
    }

    /// <summary>
    /// Adapts to what the destination said: a reputation deferral rests it for
    /// <see cref="PacingOptions.ReputationRestSeconds"/>; a throttle signal halves connections and rate
    /// (multiplicative decrease); a clean batch raises them by <see cref="PacingOptions.RecoveryStep"/>
    /// up to the configured ceiling (additive increase).
    /// </summary>
    private async Task AdaptAsync(string domain, DeliveryBatchResult result, bool probe)
    {
        var settings = options.Value;
        if (result.LastReply is { } reply)
        {
            _lastReplies.AddFirst(new SiteReply(time.GetUtcNow(), domain, reply, result.LastClass ?? "other"));
            while (_lastReplies.Count > RepliesKept)
            {
                _lastReplies.RemoveLast();
            }
        }

        if (result.PolicyBlocked > 0)
        {
            // Our sending IP is blocked by policy: stop, wait, then try one message before resuming.
            var state = record.State;
            state.Suspended = true;
            state.ProbeBeforeResume = true;
            state.SuspendedUntil = time.GetUtcNow() + TimeSpan.FromSeconds(settings.BlockSuspendSeconds);
            state.SuspendReason = $"policy block: {result.LastReply}";
            await record.WriteStateAsync();
            LogSuspendedForBlock(logger, Site, settings.BlockSuspendSeconds, result.LastReply ?? string.Empty);
            return;
        }

        if (probe && result.Delivered > 0 && record.State.Suspended)
        {
            var state = record.State;
            state.Suspended = false;
            state.ProbeBeforeResume = false;
            state.SuspendedUntil = null;
            state.SuspendReason = string.Empty;
            await record.WriteStateAsync();
            LogResumedAfterProbe(logger, Site);
        }

        if (result.ReputationDeferred > 0)
        {
            _restUntil = time.GetUtcNow() + TimeSpan.FromSeconds(settings.ReputationRestSeconds);
            LogRested(logger, Site, settings.ReputationRestSeconds);
        }

        if (result.ConnectionCap is { } cap)
        {
            // The host told us how many sessions it takes from us: that many, not half of what we had.
            var limit = Math.Max(1, cap);
            if (limit < (_connectionCap ?? int.MaxValue))
            {
                _connectionCap = limit;
                LogConnectionCap(logger, Site, limit);
            }
        }

        if (result.Throttled > 0)
        {
            _cleanBatches = 0;
            if (result.ConnectionCap is null)
            {
                _share = Math.Max(0.05, _share / 2);
                LogSlowed(logger, Site, _share);
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
                _connectionCap = current + 1 >= Ceilings().Connections ? null : current + 1;
            }
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Site {Site} deferred us for our reputation; resting it for {Seconds} s")]
    private static partial void LogRested(ILogger logger, string site, int seconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Site {Site} asked us to slow down; now at {Share:P0} of its connections and rate")]
    private static partial void LogSlowed(ILogger logger, string site, double share);

    /// <inheritdoc />
    public async Task<SiteStatus> GetStatus()
    {
        var (rate, connections, perConnection) = Ceilings();
        var suspended = IsSuspended(out var probing);
        var now = time.GetUtcNow();
        var resting = now < _restUntil;
        var state = record.State;
        var queued = _knownDomains.Count == 0 ? 0 : await queue.CountWaitingAsync(_knownDomains.ToArray());
        var stateName = suspended ? SiteStates.Suspended
            : probing ? SiteStates.Probing
            : resting ? SiteStates.Resting
            : _pump is null && _batchesInFlight == 0 ? SiteStates.Idle
            : SiteStates.Active;
        var provider = sites.ProviderSettings(Site);
        var capped = _volume.FullUntil(now, provider?.MessagesPerMinute, provider?.MessagesPerHour, provider?.MessagesPerDay);
        var reason = suspended || probing ? state.SuspendReason
            : capped is { } until ? $"volume cap reached (per minute {provider?.MessagesPerMinute}, hour {provider?.MessagesPerHour}, day {provider?.MessagesPerDay}); more from {until:O}"
            : resting ? $"resting after a reputation deferral: {_lastReplies.FirstOrDefault(r => r.Class == "reputation-defer")?.Reply}"
            : _connectionCap is { } cap ? $"at most {cap} connections: the site refused more"
            : _share < 1 ? $"slowed to {_share:P0} of its ceilings after throttle replies"
            : string.Empty;
        return new SiteStatus
        {
            Site = Site,
            State = stateName,
            MessagesPerSecond = rate * _share,
            CeilingMessagesPerSecond = rate,
            MaxConnections = ConnectionLimit(connections),
            CeilingConnections = connections,
            MessagesPerConnection = perConnection,
            Connections = _batchesInFlight,
            Queued = queued,
            Domains = _knownDomains.Order(StringComparer.Ordinal).ToArray(),
            LastReplies = _lastReplies.ToArray(),
            Reason = reason,
            ResumeAt = suspended ? state.SuspendedUntil : resting ? _restUntil : null,
            Policy = state.Policy,
            Silo = RuntimeIdentity,
        };
    }

    /// <inheritdoc />
    public async Task<SiteStatus> SetPolicy(SitePolicy? policy)
    {
        record.State.Policy = policy;
        await record.WriteStateAsync();
        LogPolicySet(logger, Site, policy?.ToString() ?? "cleared");
        return await GetStatus();
    }

    /// <inheritdoc />
    public async Task<SiteStatus> Suspend(TimeSpan? duration, string reason)
    {
        var state = record.State;
        state.Suspended = true;
        state.ProbeBeforeResume = false;
        state.SuspendedUntil = duration is { } d ? time.GetUtcNow() + d : null;
        state.SuspendReason = string.IsNullOrWhiteSpace(reason) ? "suspended by an operator" : reason;
        await record.WriteStateAsync();
        LogSuspended(logger, Site, state.SuspendReason);
        return await GetStatus();
    }

    /// <inheritdoc />
    public async Task<SiteStatus> Resume()
    {
        var state = record.State;
        state.Suspended = false;
        state.ProbeBeforeResume = false;
        state.SuspendedUntil = null;
        state.SuspendReason = string.Empty;
        _restUntil = DateTimeOffset.MinValue;
        await record.WriteStateAsync();
        LogResumed(logger, Site);
        if (_knownDomains.Count > 0)
        {
            await Wake(_knownDomains.ToArray());
        }

        return await GetStatus();
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Site {Site} blocked our sending IP by policy; suspended for {Seconds} s, then one message probes ({Reply})")]
    private static partial void LogSuspendedForBlock(ILogger logger, string site, int seconds, string reply);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Site {Site} accepted the probe after a policy block; resumed")]
    private static partial void LogResumedAfterProbe(ILogger logger, string site);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Site {Site} policy {Policy}")]
    private static partial void LogPolicySet(ILogger logger, string site, string policy);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Site {Site} suspended: {Reason}")]
    private static partial void LogSuspended(ILogger logger, string site, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Site {Site} resumed by an operator")]
    private static partial void LogResumed(ILogger logger, string site);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Site {Site} refused more connections; now at most {Connections} sessions to it, idle ones included")]
    private static partial void LogConnectionCap(ILogger logger, string site, int connections);

    /// <summary>Where a site's messages are claimed from: a recipient domain's campaign, or null for any (its transactional mail first).</summary>
    private readonly record struct SiteLane(string Domain, Guid? Campaign);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Delivery batch of {Count} messages for {Site} failed; they return to the queue when their lease expires")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string site, int count);
}
