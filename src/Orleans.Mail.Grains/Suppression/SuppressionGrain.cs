using Orleans.Concurrency;
using Orleans.Mail.Storage;
using Orleans.Mail.Suppression;

namespace Orleans.Mail.Grains.Suppression;

/// <summary>Suppression-list operations for the API; the list itself is a PostgreSQL table.</summary>
[StatelessWorker]
public sealed class SuppressionGrain(SuppressionStore store) : Grain, ISuppressionGrain
{
    /// <inheritdoc />
    public Task<int> Add(string tenantId, IReadOnlyList<string> addresses, string reason) => store.AddAsync(tenantId, addresses, reason);

    /// <inheritdoc />
    public Task<int> Remove(string tenantId, IReadOnlyList<string> addresses) => store.RemoveAsync(tenantId, addresses);

    /// <inheritdoc />
    public Task<IReadOnlyList<SuppressionEntry>> Check(string tenantId, IReadOnlyList<string> addresses) => store.FindAsync(tenantId, addresses);

    /// <inheritdoc />
    public async Task<SuppressionPage> List(string tenantId, string? after, int pageSize)
    {
        var (entries, next) = await store.ListAsync(tenantId, after, pageSize);
        return new SuppressionPage(entries, next);
    }
}
