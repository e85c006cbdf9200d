namespace Orleans.Mail.Delivery;

/// <summary>
/// The cluster's one spool dispatcher (key 0): about once a second it returns expired in-flight leases to
/// the queue and wakes the pacer of every domain with queued work. A reminder keeps it alive across
/// silo failures.
/// </summary>
[Alias("orleans.mail.ISpoolDispatcherGrain")]
public interface ISpoolDispatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the dispatcher and registers its keep-alive reminder; idempotent.</summary>
    [Alias("EnsureRunning")]
    Task EnsureRunning();
}
