namespace Orleans.Mail;

/// <summary>
/// Where one message to one envelope recipient stands. The numbers are stored in the spool's
/// <c>state</c> column and match <c>orleans.mail.v1.MessageState</c>; never renumber them.
/// </summary>
public enum MessageState : short
{
    /// <summary>Stored with a campaign that has not started; not eligible for delivery.</summary>
    Draft = 1,
    /// <summary>Committed and waiting for its destination's turn.</summary>
    Queued = 2,
    /// <summary>Leased to a delivery worker until the lease expires.</summary>
    InFlight = 3,
    /// <summary>Temporarily failed; waiting for its next attempt time.</summary>
    Deferred = 4,
    /// <summary>Accepted by the receiving server (2xx to DATA). Terminal.</summary>
    Delivered = 5,
    /// <summary>Permanently failed (5xx). Terminal.</summary>
    Bounced = 6,
    /// <summary>Undelivered at its maximum age. Terminal.</summary>
    Expired = 7,
    /// <summary>Not sent: the recipient is suppressed. Terminal.</summary>
    Suppressed = 8,
    /// <summary>Withdrawn before delivery. Terminal.</summary>
    Cancelled = 9,
}
