namespace Orleans.Mail.Messages;

/// <summary>
/// Accepts transactional messages and answers questions about any message. A stateless worker: every
/// silo has some, and each call is independent.
/// </summary>
[Alias("orleans.mail.IMessageDeskGrain")]
public interface IMessageDeskGrain : IGrainWithIntegerKey
{
    /// <summary>Commits the message to the spool (one row per envelope recipient) and returns its uuid.</summary>
    [Alias("Send")]
    Task<Guid> Send(string tenantId, TransactionalMessage message);

    /// <summary>The message's state per recipient with every attempt; raises <see cref="Errors.MailNotFoundException"/>
    /// when it does not exist or belongs to another tenant.</summary>
    [Alias("Get")]
    Task<MessageStatus> Get(string tenantId, Guid messageId);
}
