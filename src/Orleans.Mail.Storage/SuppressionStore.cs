using Npgsql;
using Orleans.Mail.Suppression;

namespace Orleans.Mail.Storage;

/// <summary>Each tenant's suppression list: addresses never sent to again, compared case-insensitively.</summary>
public sealed class SuppressionStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Adds addresses (already on the list: kept as they are); returns how many were new.</summary>
    public async Task<int> AddAsync(string tenant, IReadOnlyList<string> addresses, string reason, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO suppression (tenant, address_key, address, reason, class, created_at) " +
            "SELECT $1, k, a, $3, 'manual', $4 FROM unnest($2::text[], $5::text[]) AS x(a, k) ON CONFLICT (tenant, address_key) DO NOTHING");
        command.Parameters.Add(new() { Value = tenant });
        command.Parameters.Add(new() { Value = addresses.ToArray() });
        command.Parameters.Add(new() { Value = reason });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        command.Parameters.Add(new() { Value = Keys(addresses) });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes addresses; returns how many were on the list.</summary>
    public async Task<int> RemoveAsync(string tenant, IReadOnlyList<string> addresses, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM suppression WHERE tenant = $1 AND address_key = ANY($2::text[])");
        command.Parameters.Add(new() { Value = tenant });
        command.Parameters.Add(new() { Value = Keys(addresses) });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The entries for the given addresses that are on the list.</summary>
    public async Task<IReadOnlyList<SuppressionEntry>> FindAsync(string tenant, IReadOnlyList<string> addresses, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT address, reason, class, created_at FROM suppression " +
            "WHERE tenant = $1 AND address_key = ANY($2::text[]) ORDER BY address_key");
        command.Parameters.Add(new() { Value = tenant });
        command.Parameters.Add(new() { Value = Keys(addresses) });
        return await ReadAsync(command, int.MaxValue, cancellationToken);
    }

    /// <summary>One page of the list in address order, after <paramref name="afterKey"/> (an address key, see <see cref="Key"/>).</summary>
    public async Task<(IReadOnlyList<SuppressionEntry> Entries, string? NextAfter)> ListAsync(
        string tenant, string? afterKey, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT address, reason, class, created_at FROM suppression WHERE tenant = $1 AND ($2::text IS NULL OR address_key > $2) " +
            "ORDER BY address_key LIMIT $3");
        command.Parameters.Add(new() { Value = tenant });
        command.Parameters.Add(new() { Value = (object?)afterKey ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = pageSize + 1 });
        var entries = await ReadAsync(command, pageSize + 1, cancellationToken);
        return entries.Count > pageSize
            ? (entries.Take(pageSize).ToArray(), Key(entries[pageSize - 1].Address))
            : (entries, null);
    }

    /// <summary>
    /// The comparison key of an address, one for every spelling of the same mailbox (security review F21): the local
    /// part in Unicode NFC and lower case by .NET's invariant rules, the domain as its lower-case IDNA A-label (RFC 5891),
    /// so <c>Ana@Bücher.example</c> and <c>ana@xn--bcher-kva.example</c> share the key <c>ana@xn--bcher-kva.example</c>.
    /// The spool's <c>recipient_key</c> uses the same rule. An address whose domain is not a valid host name keeps
    /// its lower-cased domain. (PostgreSQL's lower() depends on the cluster's locale and leaves non-ASCII letters
    /// alone under C, so keys are never made in SQL.)
    /// </summary>
    public static string Key(string address)
    {
        var trimmed = address.Trim();
        var at = trimmed.LastIndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1)
        {
            return trimmed.Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();
        }

        var local = trimmed[..at].Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();
        string domain;
        try
        {
            domain = RecipientDomain.Of(trimmed);
        }
        catch (FormatException)
        {
            domain = trimmed[(at + 1)..].ToLowerInvariant();
        }

        return local + "@" + domain;
    }

    private static string[] Keys(IReadOnlyList<string> addresses) => addresses.Select(Key).ToArray();

    private static async Task<List<SuppressionEntry>> ReadAsync(NpgsqlCommand command, int max, CancellationToken cancellationToken)
    {
        var entries = new List<SuppressionEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (entries.Count < max && await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new SuppressionEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return entries;
    }
}
