namespace Orleans.Mail.Messages;

/// <summary>One message to one envelope recipient, as listed.</summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.MessageSummary")]
public sealed record MessageSummary(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Recipient,
    [property: Id(2)] MessageState State,
    [property: Id(3)] int Attempts,
    [property: Id(4)] string? LastReply);

/// <summary>A page of messages; <paramref name="NextAfter"/> is the id to continue after, null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("orleans.mail.MessagePage")]
public sealed record MessagePage(
    [property: Id(0)] IReadOnlyList<MessageSummary> Messages,
    [property: Id(1)] Guid? NextAfter);
