using Npgsql;
using NpgsqlTypes;
using Orleans.Mail.Campaigns;
using Orleans.Mail.Messages;

namespace Orleans.Mail.Storage;

/// <summary>A recipient ready to store: its new message uuid, address, lower-case key, domain and variables JSON.</summary>
public readonly record struct SpoolRecipient(Guid Id, string Address, string Key, string Domain, string? VariablesJson);

/// <summary>
/// The campaign side of the spool: committing recipient batches atomically and idempotently, starting a
/// campaign, counting its messages by state and listing them. Every method is one round trip or one
/// transaction, whatever the batch size.
/// </summary>
public sealed class CampaignSpool(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>
    /// Commits one batch of recipients in one transaction. The batch number is recorded with the rows; if it
    /// was committed before, nothing is written and the stored result is returned with Replayed set.
    /// Addresses already in the campaign (by lower-case key) are not stored and are reported by index.
    /// </summary>
    /// <param name="campaignId">The campaign uuid.</param>
    /// <param name="tenant">The owning tenant.</param>
    /// <param name="batchNumber">The client's batch number.</param>
    /// <param name="rows">The rows, in batch order; keys unique within the batch are not required.</param>
    /// <param name="cancellationToken">Cancels the transaction (rolled back: nothing is committed).</param>
    /// <param name="contentHash">A fingerprint of the batch's rows; a replay with another fingerprint is refused. Null: not checked.</param>
    /// <exception cref="BatchContentMismatchException">The batch number was committed before with a different fingerprint.</exception>
    public async Task<RecipientBatchResult> CommitBatchAsync(
        Guid campaignId, string tenant, long batchNumber, IReadOnlyList<SpoolRecipient> rows, CancellationToken cancellationToken = default,
        byte[]? contentHash = null)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The ledger row goes first: a concurrent replay of the same batch waits on it, then sees it.
        await using (var claim = new NpgsqlCommand(
            "INSERT INTO campaign_batch (campaign_id, batch_number, accepted, duplicates, committed_at, content_hash) " +
            "VALUES ($1, $2, 0, '{}', $3, $4) ON CONFLICT DO NOTHING", connection, transaction))
        {
            claim.Parameters.Add(new() { Value = campaignId });
            claim.Parameters.Add(new() { Value = batchNumber });
            claim.Parameters.Add(new() { Value = now });
            claim.Parameters.Add(new() { Value = (object?)contentHash ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await ReadCommittedBatchAsync(connection, campaignId, batchNumber, contentHash, cancellationToken);
            }
        }

        // Rows go in by key (and, for a key repeated in the batch, in batch order: the first one stays): batches
        // of one campaign committing at once then take the unique index's entries in the same order, so two that
        // share addresses wait for each other instead of deadlocking.
        var inserted = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO spool (id, message_id, tenant, campaign_id, recipient, recipient_key, domain, variables, state, next_attempt_at, created_at, updated_at) " +
            "SELECT r.id, r.id, $1, $2, r.address, r.key, r.domain, r.variables::jsonb, 1, $3, $3, $3 " +
            "FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS r(id, address, key, domain, variables, n) " +
            "ORDER BY r.key, r.n " +
            "ON CONFLICT (campaign_id, recipient_key) WHERE campaign_id IS NOT NULL DO NOTHING RETURNING id", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = tenant });
            insert.Parameters.Add(new() { Value = campaignId });
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = rows.Select(r => r.Id).ToArray() });
            insert.Parameters.Add(new() { Value = rows.Select(r => r.Address).ToArray() });
            insert.Parameters.Add(new() { Value = rows.Select(r => r.Key).ToArray() });
            insert.Parameters.Add(new() { Value = rows.Select(r => r.Domain).ToArray() });
            insert.Parameters.Add(new() { Value = rows.Select(r => r.VariablesJson).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetGuid(0));
            }
        }

        var duplicates = new List<int>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (!inserted.Contains(rows[i].Id))
            {
                duplicates.Add(i);
            }
        }

        await using (var ledger = new NpgsqlCommand(
            "UPDATE campaign_batch SET accepted = $3, duplicates = $4 WHERE campaign_id = $1 AND batch_number = $2", connection, transaction))
        {
            ledger.Parameters.Add(new() { Value = campaignId });
            ledger.Parameters.Add(new() { Value = batchNumber });
            ledger.Parameters.Add(new() { Value = inserted.Count });
            ledger.Parameters.Add(new() { Value = duplicates.ToArray() });
            await ledger.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new RecipientBatchResult(inserted.Count, duplicates, Replayed: false);
    }

    private static async Task<RecipientBatchResult> ReadCommittedBatchAsync(
        NpgsqlConnection connection, Guid campaignId, long batchNumber, byte[]? contentHash, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand(
            "SELECT accepted, duplicates, content_hash FROM campaign_batch WHERE campaign_id = $1 AND batch_number = $2", connection);
        read.Parameters.Add(new() { Value = campaignId });
        read.Parameters.Add(new() { Value = batchNumber });
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"Batch {batchNumber} of campaign {campaignId} vanished while being read.");
        }

        if (contentHash is not null && !reader.IsDBNull(2) && !reader.GetFieldValue<byte[]>(2).AsSpan().SequenceEqual(contentHash))
        {
            throw new BatchContentMismatchException(batchNumber);
        }

        return new RecipientBatchResult(reader.GetInt32(0), reader.GetFieldValue<int[]>(1), Replayed: true);
    }

    /// <summary>Moves every draft message of the campaign to the ready queue; returns how many moved.</summary>
    public async Task<long> QueueDraftsAsync(Guid campaignId, CancellationToken cancellationToken = default)
    {
        // Moving a draft rewrites its row and adds it to the ready indexes, one core's work per statement in
        // PostgreSQL; two statements at once take disjoint chunks (SKIP LOCKED), so queueing a big list
        // uses both cores of a small machine instead of one.
        var movers = new Task<long>[QueueWorkers];
        for (var i = 0; i < movers.Length; i++)
        {
            movers[i] = QueueDraftChunksAsync(campaignId, cancellationToken);
        }

        return (await Task.WhenAll(movers)).Sum();
    }

    private async Task<long> QueueDraftChunksAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        // In chunks, each its own transaction: a million drafts are one short statement after another (none
        // near the command timeout), and the first messages are due while the rest are still being queued.
        // Safe to repeat after a crash: what is left in Draft is queued by the next call.
        long queued = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(
                "UPDATE spool SET state = 2, next_attempt_at = $2, updated_at = $2 " +
                "WHERE id IN (SELECT id FROM spool WHERE campaign_id = $1 AND state = 1 LIMIT $3 FOR UPDATE SKIP LOCKED)");
            command.Parameters.Add(new() { Value = campaignId });
            command.Parameters.Add(new() { Value = time.GetUtcNow() });
            command.Parameters.Add(new() { Value = QueueChunkRows });
            var rows = await command.ExecuteNonQueryAsync(cancellationToken);
            queued += rows;
            if (rows == 0)
            {
                return queued;
            }
        }
    }

    /// <summary>Statements queueing one campaign's drafts at once, by <see cref="QueueDraftsAsync"/>.</summary>
    private const int QueueWorkers = 2;

    /// <summary>Drafts queued per statement by <see cref="QueueDraftsAsync"/>.</summary>
    private const int QueueChunkRows = 20_000;

    /// <summary>
    /// The campaign's message counts by state, how many were delivered in the last
    /// <paramref name="rateWindow"/>, counts by last outcome class, and how many are possible duplicates, in one scan of the campaign's rows.
    /// </summary>
    public async Task<(Dictionary<MessageState, long> Counts, long DeliveredInWindow, Dictionary<string, long> Classes, long PossibleDuplicates)> CountAsync(
        Guid campaignId, TimeSpan rateWindow, CancellationToken cancellationToken = default)
    {
        // One scan of the campaign's rows, grouped by state and last outcome class together.
        await using var command = dataSource.CreateCommand(
            "SELECT state, last_class, count(*), count(*) FILTER (WHERE state = 5 AND updated_at > $2), count(*) FILTER (WHERE possible_duplicate) " +
            "FROM spool WHERE campaign_id = $1 GROUP BY state, last_class");
        command.Parameters.Add(new() { Value = campaignId });
        command.Parameters.Add(new() { Value = time.GetUtcNow() - rateWindow });
        var counts = new Dictionary<MessageState, long>();
        var classes = new Dictionary<string, long>();
        long recent = 0;
        long duplicates = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = (MessageState)reader.GetInt16(0);
            var n = reader.GetInt64(2);
            counts[state] = counts.GetValueOrDefault(state) + n;
            if (!reader.IsDBNull(1))
            {
                var name = reader.GetString(1);
                classes[name] = classes.GetValueOrDefault(name) + n;
            }

            recent += reader.GetInt64(3);
            duplicates += reader.GetInt64(4);
        }

        return (counts, recent, classes, duplicates);
    }

    /// <summary>One page of the campaign's messages in id (creation) order, optionally in one state.</summary>
    public async Task<MessagePage> ListAsync(
        Guid campaignId, MessageState? state, Guid? afterId, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, recipient, state, attempts, last_reply FROM spool " +
            "WHERE campaign_id = $1 AND ($2::smallint IS NULL OR state = $2) AND ($3::uuid IS NULL OR id > $3) " +
            "ORDER BY id LIMIT $4");
        command.Parameters.Add(new() { Value = campaignId });
        command.Parameters.Add(new() { Value = state is null ? DBNull.Value : (short)state.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = afterId is null ? DBNull.Value : afterId.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = pageSize + 1 });
        var page = new List<MessageSummary>(pageSize);
        var more = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (page.Count == pageSize)
            {
                more = true;
                break;
            }

            page.Add(new MessageSummary(
                reader.GetGuid(0), reader.GetString(1), (MessageState)reader.GetInt16(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return new MessagePage(page, more ? page[^1].Id : null);
    }
}
