namespace Orleans.Mail.Delivery.Bounces;

/// <summary>What the engine does about one recipient of a DSN.</summary>
public enum BounceNoticeKind
{
    /// <summary>A permanent failure after our 250: the recipient bounced (and may be suppressed).</summary>
    Bounce,

    /// <summary>A delay warning: logged only, no state change.</summary>
    Delay,
}

/// <summary>One actionable recipient report of a DSN, classified.</summary>
/// <param name="Recipient">The recipient address as reported.</param>
/// <param name="Kind">Bounce or delay.</param>
/// <param name="Class">The class in the project's vocabulary (<see cref="Classification.ReplyClass"/>), e.g. <c>invalid-recipient</c>.</param>
/// <param name="Suppress">True when the class is recipient-level (<see cref="Classification.ReplyClass.IsRecipientLevel"/>) and the notice is a bounce.</param>
/// <param name="SmtpCode">The basic SMTP code of the reply the class was derived from (e.g. 550).</param>
/// <param name="Reply">The reply on one line (<see cref="Classification.SmtpReply.FlatText"/>), as stored with the attempt.</param>
/// <param name="Rule">The classifier rule that decided.</param>
public sealed record BounceNotice(string Recipient, BounceNoticeKind Kind, string Class, bool Suppress, int SmtpCode, string Reply, string Rule);
