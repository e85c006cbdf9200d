namespace Orleans.Mail.Campaigns;

/// <summary>The result of committing one recipient batch.</summary>
/// <param name="Accepted">Rows committed to the spool.</param>
/// <param name="DuplicateIndexes">Zero-based indexes (within the batch) of rows rejected as duplicates of an address already in the campaign.</param>
/// <param name="Replayed">True when this batch number had been committed before: nothing was written now and the counts are the stored ones.</param>
[GenerateSerializer, Immutable, Alias("orleans.mail.RecipientBatchResult")]
public sealed record RecipientBatchResult(
    [property: Id(0)] int Accepted,
    [property: Id(1)] IReadOnlyList<int> DuplicateIndexes,
    [property: Id(2)] bool Replayed);
