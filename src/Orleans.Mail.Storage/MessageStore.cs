using Npgsql;
using Orleans.Mail.Messages;

namespace Orleans.Mail.Storage;

/// <summary>Transactional messages in the spool, and the per-recipient status and attempts of any message.</summary>
public sealed class MessageStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>
    /// Commits a transactional message in one transaction: its content and one queued spool row per
    /// envelope recipient (<paramref name="recipients"/>: address, lower-case domain).
    /// </summary>
    public async Task InsertTransactionalAsync(
        Guid messageId, string tenant, string contentJson, IReadOnlyList<(string Address, string Domain)> recipients,
        Func<Guid> newId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var content = new NpgsqlBatchCommand("INSERT INTO mail_message (id, tenant, content, created_at) VALUES ($1, $2, $3::jsonb, $4)");
        content.Parameters.Add(new() { Value = messageId });
        content.Parameters.Add(new() { Value = tenant });
        content.Parameters.Add(new() { Value = contentJson });
        content.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(content);
        var rows = new NpgsqlBatchCommand(
            "INSERT INTO spool (id, message_id, tenant, recipient, recipient_key, domain, state, next_attempt_at, created_at, updated_at) " +
            "SELECT r.id, $1, $2, r.address, r.key, r.domain, 2, $3, $3, $3 FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[]) AS r(id, address, domain, key)");
        rows.Parameters.Add(new() { Value = messageId });
        rows.Parameters.Add(new() { Value = tenant });
        rows.Parameters.Add(new() { Value = now });
        rows.Parameters.Add(new() { Value = recipients.Select(_ => newId()).ToArray() });
        rows.Parameters.Add(new() { Value = recipients.Select(r => r.Address).ToArray() });
        rows.Parameters.Add(new() { Value = recipients.Select(r => r.Domain).ToArray() });
        rows.Parameters.Add(new() { Value = recipients.Select(r => SuppressionStore.Key(r.Address)).ToArray() });
        batch.BatchCommands.Add(rows);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The message's recipients with state and attempts, or null when it does not exist for the tenant.</summary>
    public async Task<MessageStatus?> GetAsync(string tenant, Guid messageId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT s.id, s.campaign_id, s.recipient, s.state, a.attempted_at, a.mx_host, a.smtp_code, a.reply, a.action, a.class, a.remote_ip, a.tls, a.rule, a.note " +
            "FROM spool s LEFT JOIN delivery_attempt a ON a.spool_id = s.id " +
            "WHERE s.message_id = $1 AND s.tenant = $2 ORDER BY s.id, a.id");
        command.Parameters.Add(new() { Value = messageId });
        command.Parameters.Add(new() { Value = tenant });
        Guid? campaignId = null;
        var recipients = new List<RecipientStatus>();
        Guid current = Guid.Empty;
        List<DeliveryAttemptRecord>? attempts = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var spoolId = reader.GetGuid(0);
            if (attempts is null || spoolId != current)
            {
                current = spoolId;
                campaignId = reader.IsDBNull(1) ? null : reader.GetGuid(1);
                attempts = [];
                recipients.Add(new RecipientStatus(reader.GetString(2), (MessageState)reader.GetInt16(3), attempts));
            }

            if (!reader.IsDBNull(4))
            {
                attempts.Add(new DeliveryAttemptRecord(
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), reader.GetInt32(6), reader.GetString(7), reader.GetString(8),
                    reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetBoolean(11),
                    reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13)));
            }
        }

        return recipients.Count == 0 ? null : new MessageStatus(messageId, campaignId, recipients);
    }
}
