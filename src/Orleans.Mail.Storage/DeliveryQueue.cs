using Npgsql;
using NpgsqlTypes;
using Orleans.Mail.Delivery;

namespace Orleans.Mail.Storage;

/// <summary>The result of one delivery attempt to record: the new state and, for a deferral, when to try next.</summary>
/// <param name="SpoolId">The spool row.</param>
/// <param name="State">Delivered, Deferred, Bounced or Expired.</param>
/// <param name="NextAttemptAt">For Deferred, the next attempt time; otherwise ignored.</param>
/// <param name="MxHost">The host attempted, <c>host:port</c>.</param>
/// <param name="SmtpCode">The reply code, 0 for none.</param>
/// <param name="Reply">The reply text or the local failure.</param>
/// <param name="Action"><c>delivered</c>, <c>defer</c> or <c>bounce</c>.</param>
/// <param name="AttemptedAt">When the attempt ended.</param>
/// <param name="Class">The outcome class in the project's vocabulary (e.g. <c>ok</c>, <c>invalid-recipient</c>).</param>
/// <param name="Suppress">True when the recipient goes on its tenant's suppression list.</param>
/// <param name="RemoteIp">The IP address connected to, or null when none was reached.</param>
/// <param name="Tls">True when the session used TLS.</param>
/// <param name="Uncertain">True when the connection was lost after the final dot: the message is flagged as a possible duplicate.</param>
/// <param name="Rule">The classification rule that decided the outcome, or null.</param>
/// <param name="Note">A note on the session (e.g. a STARTTLS fallback to cleartext), or null.</param>
/// <param name="Tried">False when the message was never offered to the receiver (its session was closed on us before
/// its turn): it goes back to the queue with no attempt counted and no delivery-log row.</param>
public sealed record AttemptOutcome(
    Guid SpoolId, MessageState State, DateTimeOffset? NextAttemptAt, string MxHost, int SmtpCode, string Reply, string Action, DateTimeOffset AttemptedAt,
    string Class = "other", bool Suppress = false, string? RemoteIp = null, bool Tls = false, bool Uncertain = false, string? Rule = null, string? Note = null,
    bool Tried = true);

/// <summary>
/// The delivery side of the spool: leasing due messages per domain (<c>FOR UPDATE SKIP LOCKED</c>, so
/// concurrent claimers never take the same row), recording outcomes in batches, and returning expired
/// leases. No method makes a round trip per message.
/// </summary>
public sealed class DeliveryQueue(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>
    /// Leases up to <paramref name="max"/> due messages (fewer when some recipients are suppressed: those
    /// become Suppressed in the same statement) of <paramref name="domain"/> (queued or deferred,
    /// next attempt time passed), transactional messages (no campaign) first, then oldest due first, until
    /// now + <paramref name="lease"/>.
    /// </summary>
    public Task<IReadOnlyList<LeasedMessage>> ClaimAsync(string domain, int max, TimeSpan lease, CancellationToken cancellationToken = default) =>
        ClaimAsync(domain, max, lease, campaign: null, cancellationToken);

    /// <summary>
    /// Like <see cref="ClaimAsync(string, int, TimeSpan, CancellationToken)"/>, but after the transactional
    /// messages only messages of <paramref name="campaign"/> (its lane; null: any campaign).
    /// </summary>
    public async Task<IReadOnlyList<LeasedMessage>> ClaimAsync(string domain, int max, TimeSpan lease, Guid? campaign, CancellationToken cancellationToken = default)
    {
        var transactional = await ClaimLaneAsync(domain, max, lease, transactionalOnly: true, null, cancellationToken);
        if (transactional.Count >= max)
        {
            return transactional;
        }

        var rest = await ClaimLaneAsync(domain, max - transactional.Count, lease, transactionalOnly: false, campaign, cancellationToken);
        if (transactional.Count == 0)
        {
            return rest;
        }

        var all = new List<LeasedMessage>(transactional.Count + rest.Count);
        all.AddRange(transactional);
        all.AddRange(rest);
        return all;
    }

    private async Task<IReadOnlyList<LeasedMessage>> ClaimLaneAsync(
        string domain, int max, TimeSpan lease, bool transactionalOnly, Guid? campaign, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lane = transactionalOnly ? "AND campaign_id IS NULL " : campaign is not null ? "AND campaign_id = $5 " : string.Empty;
        // Due rows whose recipient is suppressed end here as Suppressed (no attempt); the rest are leased.
        await using var command = dataSource.CreateCommand(
            "WITH due AS (SELECT id FROM spool WHERE domain = $1 AND state IN (2, 4) AND next_attempt_at <= $2 " + lane +
            "             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED), " +
            "suppressed AS (UPDATE spool s SET state = 8, updated_at = $2, last_class = 'suppressed', last_reply = 'recipient is on the suppression list' " +
            "               FROM due WHERE s.id = due.id " +
            "               AND EXISTS (SELECT 1 FROM suppression x WHERE x.tenant = s.tenant AND x.address_key = s.recipient_key) RETURNING s.id) " +
            "UPDATE spool s SET state = 3, lease_until = $3, updated_at = $2 " +
            "FROM due WHERE s.id = due.id " +
            "AND NOT EXISTS (SELECT 1 FROM suppression x WHERE x.tenant = s.tenant AND x.address_key = s.recipient_key) " +
            "RETURNING s.id, s.message_id, s.campaign_id, s.recipient, s.variables::text, " +
            "  (SELECT m.content::text FROM mail_message m WHERE m.id = s.message_id AND s.campaign_id IS NULL), s.attempts, s.created_at");
        command.Parameters.Add(new() { Value = domain });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now + lease });
        command.Parameters.Add(new() { Value = max });
        if (campaign is { } campaignId && !transactionalOnly)
        {
            command.Parameters.Add(new() { Value = campaignId });
        }

        var leased = new List<LeasedMessage>(max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            leased.Add(new LeasedMessage(
                reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return leased;
    }

    /// <summary>
    /// The campaign lanes with messages waiting (queued or deferred, due or not) on these recipient domains:
    /// one (domain, campaign id) pair per campaign and domain, in domain then id order. A skip scan of the
    /// lane index in one round trip: one probe per pair, however long each backlog.
    /// </summary>
    public async Task<IReadOnlyList<(string Domain, Guid Campaign)>> LanesWaitingAsync(
        IReadOnlyList<string> domains, CancellationToken cancellationToken = default)
    {
        if (domains.Count == 0)
        {
            return [];
        }

        await using var command = dataSource.CreateCommand(
            "WITH RECURSIVE lanes(domain, campaign_id) AS ( " +
            "  SELECT d.domain, (SELECT s.campaign_id FROM spool s WHERE s.domain = d.domain AND s.state IN (2, 4) " +
            "                    AND s.campaign_id IS NOT NULL ORDER BY s.campaign_id LIMIT 1) " +
            "  FROM unnest($1::text[]) AS d(domain) " +
            "  UNION ALL " +
            "  SELECT l.domain, (SELECT s.campaign_id FROM spool s WHERE s.domain = l.domain AND s.state IN (2, 4) " +
            "                    AND s.campaign_id > l.campaign_id ORDER BY s.campaign_id LIMIT 1) " +
            "  FROM lanes l WHERE l.campaign_id IS NOT NULL) " +
            "SELECT domain, campaign_id FROM lanes WHERE campaign_id IS NOT NULL ORDER BY domain, campaign_id");
        command.Parameters.Add(new() { Value = domains.Distinct(StringComparer.Ordinal).ToArray() });
        var lanes = new List<(string, Guid)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lanes.Add((reader.GetString(0), reader.GetGuid(1)));
        }

        return lanes;
    }

    /// <summary>Messages queued, deferred or in flight over the whole spool (campaign drafts not counted).</summary>
    public async Task<long> CountBacklogAsync(CancellationToken cancellationToken = default)
    {
        // Two counts, each answered from its partial index (ready rows, leased rows).
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM spool WHERE state IN (2, 4)) + (SELECT count(*) FROM spool WHERE state = 3)");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Messages of these recipient domains waiting in the spool (queued or deferred, due or not).</summary>
    public async Task<long> CountWaitingAsync(IReadOnlyList<string> domains, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM spool WHERE domain = ANY($1) AND state IN (2, 4)");
        command.Parameters.Add(new() { Value = domains.ToArray() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Records a batch of outcomes in one transaction: each row's new state, attempt count + 1, next attempt
    /// time and last reply, and one delivery-log row per attempt. A row whose lease was already taken back
    /// (it is no longer in flight) keeps its state, but the attempt is still logged. Outcomes marked
    /// Suppress put their recipient on the tenant's suppression list in the same transaction.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<AttemptOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var update = new NpgsqlBatchCommand(
            "UPDATE spool s SET state = o.state, attempts = s.attempts + CASE WHEN o.tried THEN 1 ELSE 0 END, lease_until = NULL, " +
            "  next_attempt_at = COALESCE(o.next_at, s.next_attempt_at), updated_at = o.at, last_reply = o.reply, last_class = o.class, " +
            "  possible_duplicate = s.possible_duplicate OR o.uncertain " +
            "FROM unnest($1::uuid[], $2::smallint[], $3::timestamptz[], $4::text[], $5::timestamptz[], $6::text[], $7::bool[], $8::bool[]) AS o(id, state, next_at, reply, at, class, uncertain, tried) " +
            "WHERE s.id = o.id AND s.state = 3");
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.SpoolId).ToArray() });
        update.Parameters.Add(new() { Value = outcomes.Select(o => (short)o.State).ToArray() });
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.NextAttemptAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.Reply).ToArray() });
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.AttemptedAt).ToArray() });
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.Class).ToArray() });
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.Uncertain).ToArray() });
        update.Parameters.Add(new() { Value = outcomes.Select(o => o.Tried).ToArray() });
        batch.BatchCommands.Add(update);

        // The delivery log holds attempts only: a message never offered to the receiver has none.
        outcomes = outcomes.Where(o => o.Tried).ToArray();

        var log = new NpgsqlBatchCommand(
            "INSERT INTO delivery_attempt (spool_id, attempted_at, mx_host, smtp_code, reply, action, class, remote_ip, tls, rule, note) " +
            "SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bool[], $10::text[], $11::text[])");
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.SpoolId).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.AttemptedAt).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.MxHost).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.SmtpCode).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.Reply).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.Action).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.Class).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.RemoteIp).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.Tls).ToArray() });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.Rule).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        log.Parameters.Add(new() { Value = outcomes.Select(o => o.Note).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.BatchCommands.Add(log);

        var suppress = outcomes.Where(o => o.Suppress).ToArray();
        if (suppress.Length > 0)
        {
            var add = new NpgsqlBatchCommand(
                "INSERT INTO suppression (tenant, address_key, address, reason, class, created_at) " +
                "SELECT s.tenant, s.recipient_key, s.recipient, o.reply, o.class, o.at " +
                "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS o(id, reply, class, at) JOIN spool s ON s.id = o.id " +
                "ON CONFLICT (tenant, address_key) DO NOTHING");
            add.Parameters.Add(new() { Value = suppress.Select(o => o.SpoolId).ToArray() });
            add.Parameters.Add(new() { Value = suppress.Select(o => o.Reply).ToArray() });
            add.Parameters.Add(new() { Value = suppress.Select(o => o.Class).ToArray() });
            add.Parameters.Add(new() { Value = suppress.Select(o => o.AttemptedAt).ToArray() });
            batch.BatchCommands.Add(add);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Returns in-flight messages whose lease has expired to the queue (their worker died or hung); returns how many.</summary>
    public async Task<int> ReleaseExpiredLeasesAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE spool SET state = 2, lease_until = NULL, updated_at = $1 WHERE state = 3 AND lease_until < $1");
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Domains with at least one message due now. A loose index scan over the ready index: one probe per
    /// domain, however many messages each holds.
    /// </summary>
    public async Task<IReadOnlyList<string>> DomainsWithDueWorkAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "WITH RECURSIVE d(domain) AS ( " +
            "  (SELECT domain FROM spool WHERE state IN (2, 4) ORDER BY domain LIMIT 1) " +
            "  UNION ALL " +
            "  SELECT (SELECT s.domain FROM spool s WHERE s.state IN (2, 4) AND s.domain > d.domain ORDER BY s.domain LIMIT 1) " +
            "  FROM d WHERE d.domain IS NOT NULL) " +
            "SELECT d.domain FROM d WHERE d.domain IS NOT NULL AND EXISTS (" +
            "  SELECT 1 FROM spool s WHERE s.domain = d.domain AND s.state IN (2, 4) AND s.next_attempt_at <= $1)");
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        var domains = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            domains.Add(reader.GetString(0));
        }

        return domains;
    }
}
