namespace Orleans.Mail.Storage;

/// <summary>A batch number was committed before with different rows: a replay must repeat the batch exactly.</summary>
/// <param name="batchNumber">The client's batch number.</param>
public sealed class BatchContentMismatchException(long batchNumber)
    : Exception($"Batch {batchNumber} was committed before with different recipients; a re-sent batch must be identical, and new recipients need a new batch number.")
{
    /// <summary>The batch number.</summary>
    public long BatchNumber { get; } = batchNumber;
}
