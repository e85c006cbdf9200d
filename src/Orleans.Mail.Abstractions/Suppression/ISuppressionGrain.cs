namespace Orleans.Mail.Suppression;

/// <summary>An address on a tenant's suppression list.</summary>
/// <param name="Address">The address as first seen.</param>
/// <param name="Reason">The bounce reply that put it there, or the operator's note.</param>
/// <param name="Class">The bounce class (<c>invalid-recipient</c>, <c>inactive-mailbox</c>, <c>bad-domain</c>) or <c>manual</c>.</param>
/// <param name="CreatedAt">When it was added (UTC).</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.SuppressionEntry")]
public sealed record SuppressionEntry(
    [property: Id(0)] string Address,
    [property: Id(1)] string Reason,
    [property: Id(2)] string Class,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>A page of a suppression list; <paramref name="NextAfter"/> continues it, null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.SuppressionPage")]
public sealed record SuppressionPage(
    [property: Id(0)] IReadOnlyList<SuppressionEntry> Entries,
    [property: Id(1)] string? NextAfter);

/// <summary>Reads and edits tenants' suppression lists (stored in PostgreSQL). A stateless worker.</summary>
[Alias("orleans.mail.ISuppressionGrain")]
public interface ISuppressionGrain : IGrainWithIntegerKey
{
    /// <summary>Adds addresses; returns how many were not on the list before.</summary>
    [Alias("Add")]
    Task<int> Add(string tenantId, IReadOnlyList<string> addresses, string reason);

    /// <summary>Removes addresses; returns how many were on the list.</summary>
    [Alias("Remove")]
    Task<int> Remove(string tenantId, IReadOnlyList<string> addresses);

    /// <summary>The entries of the given addresses that are on the list.</summary>
    [Alias("Check")]
    Task<IReadOnlyList<SuppressionEntry>> Check(string tenantId, IReadOnlyList<string> addresses);

    /// <summary>One page of the list, in address order.</summary>
    [Alias("List")]
    Task<SuppressionPage> List(string tenantId, string? after, int pageSize);
}
