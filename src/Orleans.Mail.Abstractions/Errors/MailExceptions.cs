namespace Orleans.Mail.Errors;

/// <summary>The campaign or message does not exist for this tenant (gRPC <c>NOT_FOUND</c>).</summary>
[GenerateSerializer, Alias("orleans.mail.MailNotFoundException")]
public sealed class MailNotFoundException(string message) : Exception(message);

/// <summary>The call is not allowed in the object's current state (gRPC <c>FAILED_PRECONDITION</c>).</summary>
[GenerateSerializer, Alias("orleans.mail.MailPreconditionException")]
public sealed class MailPreconditionException(string message) : Exception(message);

/// <summary>A field of the request is invalid (gRPC <c>INVALID_ARGUMENT</c>).</summary>
/// <param name="field">The request field, e.g. <c>subject</c>.</param>
/// <param name="reason">Why it is invalid.</param>
[GenerateSerializer, Alias("orleans.mail.MailValidationException")]
public sealed class MailValidationException(string field, string reason) : Exception($"{field}: {reason}")
{
    /// <summary>The request field.</summary>
    [Id(0)] public string Field { get; } = field;

    /// <summary>Why it is invalid.</summary>
    [Id(1)] public string Reason { get; } = reason;
}

/// <summary>
/// A destination site is too far behind to take more now (gRPC <c>RESOURCE_EXHAUSTED</c>, with
/// <see cref="RetryAfterSeconds"/> as the <c>grpc-retry-pushback-ms</c> trailer). Nothing of the request was accepted.
/// </summary>
/// <param name="message">What is behind, by how much, and the bound.</param>
/// <param name="retryAfterSeconds">When to try again, in s.</param>
[GenerateSerializer, Alias("orleans.mail.MailBackPressureException")]
public sealed class MailBackPressureException(string message, int retryAfterSeconds) : Exception(message)
{
    /// <summary>When to try again, in s.</summary>
    [Id(0)] public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
