using Npgsql;

namespace Orleans.Mail.Storage;

/// <summary>An asynchronous bounce (a DSN after our 250) to record for one recipient of one message.</summary>
/// <param name="MessageId">The message uuid: the spool's <c>message_id</c> (the spool row id for campaign messages).</param>
/// <param name="Recipient">The recipient address as reported; matched case-insensitively through <see cref="SuppressionStore.Key"/>.</param>
/// <param name="Class">The bounce class in the project's vocabulary, e.g. <c>invalid-recipient</c>.</param>
/// <param name="Suppress">True when the address goes on its tenant's suppression list.</param>
/// <param name="Reply">The reply text from the DSN (Status and Diagnostic-Code), stored with the attempt and as the suppression reason.</param>
/// <param name="SmtpCode">The SMTP code the class was derived from (e.g. 550); 0 for none.</param>
public sealed record BounceRecord(Guid MessageId, string Recipient, string Class, bool Suppress, string Reply, int SmtpCode = 0);

/// <summary>
/// Records asynchronous bounces: each matching spool row (<c>message_id</c> = the uuid and <c>recipient_key</c> = the
/// address's key) becomes Bounced whatever its state (the DSN arrives after the receiver's 250), one delivery-log row
/// is written per matched row (action <c>bounce</c>, host <c>dsn</c>, the class; the attempt count is not changed),
/// and the recipient goes on the row's tenant's suppression list when asked. One statement in one transaction per
/// batch, no round trip per bounce.
/// </summary>
public sealed class BounceStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The <c>delivery_attempt.mx_host</c> of a bounce learnt from a DSN.</summary>
    public const string DsnHost = "dsn";

    /// <summary>Records a batch of bounces.</summary>
    /// <param name="bounces">The bounces; an empty list does nothing.</param>
    /// <param name="cancellationToken">Cancels the call (the transaction is rolled back).</param>
    /// <returns>For each bounce, in order, true when at least one spool row matched it (false: unknown message or recipient).</returns>
    /// <exception cref="NpgsqlException">The database failed; nothing was recorded.</exception>
    public async Task<IReadOnlyList<bool>> RecordAsync(IReadOnlyList<BounceRecord> bounces, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bounces);
        if (bounces.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var command = new NpgsqlBatchCommand(
            "WITH o AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[], $5::text[], $6::int[]) " +
            "           WITH ORDINALITY AS o(message_id, key, class, suppress, reply, code, ord)), " +
            "m AS (SELECT s.id, s.tenant, s.recipient, s.recipient_key, o.class, o.suppress, o.reply, o.code, o.ord " +
            "      FROM spool s JOIN o ON s.message_id = o.message_id AND s.recipient_key = o.key FOR UPDATE OF s), " +
            "u AS (UPDATE spool s SET state = 6, lease_until = NULL, updated_at = $7, last_reply = m.reply, last_class = m.class " +
            "      FROM m WHERE s.id = m.id RETURNING s.id), " +
            "l AS (INSERT INTO delivery_attempt (spool_id, attempted_at, mx_host, smtp_code, reply, action, class) " +
            "      SELECT m.id, $7, $8, m.code, m.reply, 'bounce', m.class FROM m), " +
            "x AS (INSERT INTO suppression (tenant, address_key, address, reason, class, created_at) " +
            "      SELECT DISTINCT ON (m.tenant, m.recipient_key) m.tenant, m.recipient_key, m.recipient, m.reply, m.class, $7 " +
            "      FROM m WHERE m.suppress ORDER BY m.tenant, m.recipient_key, m.ord " +
            "      ON CONFLICT (tenant, address_key) DO NOTHING) " +
            "SELECT DISTINCT ord FROM m");
        command.Parameters.Add(new() { Value = bounces.Select(b => b.MessageId).ToArray() });
        command.Parameters.Add(new() { Value = bounces.Select(b => SuppressionStore.Key(b.Recipient)).ToArray() });
        command.Parameters.Add(new() { Value = bounces.Select(b => b.Class).ToArray() });
        command.Parameters.Add(new() { Value = bounces.Select(b => b.Suppress).ToArray() });
        command.Parameters.Add(new() { Value = bounces.Select(b => b.Reply).ToArray() });
        command.Parameters.Add(new() { Value = bounces.Select(b => b.SmtpCode).ToArray() });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = DsnHost });
        batch.BatchCommands.Add(command);

        var matched = new bool[bounces.Count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                matched[reader.GetInt64(0) - 1] = true;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return matched;
    }
}
