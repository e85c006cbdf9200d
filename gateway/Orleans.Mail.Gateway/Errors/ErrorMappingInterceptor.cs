using Grpc.Core;
using Grpc.Core.Interceptors;
using Orleans.Mail.Errors;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Errors;

/// <summary>
/// Turns the engine's exceptions into precise gRPC statuses (NOT_FOUND, FAILED_PRECONDITION,
/// INVALID_ARGUMENT with <c>google.rpc.BadRequest</c>), so a caller never sees INTERNAL for its own mistake.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    private RpcException? Map(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException => null,
        MailNotFoundException e => new RpcException(new Status(StatusCode.NotFound, e.Message)),
        MailPreconditionException e => new RpcException(new Status(StatusCode.FailedPrecondition, e.Message)),
        MailValidationException e => BadRequests.Single(e.Field, e.Reason),
        MailBackPressureException e => Backpressure.ResourceExhausted.Create(e.Message, e.RetryAfterSeconds),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled.")),
        // A deadline inside the cluster (a DNS look-up, a grain call) ran out: passing, retry.
        OperationCanceledException => Unavailable(exception, context),
        _ when InfrastructureFaults.IsTransientStorageFault(exception) => Unavailable(exception, context),
        // A silo that died or is unreachable mid-call (ConnectionFailedException and other connection errors)
        // is a moment of failover, not a bug: the client should retry.
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
            or Orleans.Runtime.Messaging.ConnectionFailedException or Orleans.Runtime.OrleansException { InnerException: Orleans.Runtime.Messaging.ConnectionFailedException }
            => Unavailable(exception, context),
        _ => Internal(exception, context),
    };

    /// <summary>The retry hint sent with <c>UNAVAILABLE</c>, in s (google.rpc.RetryInfo and <c>grpc-retry-pushback-ms</c>).</summary>
    public const int UnavailableRetryAfterSeconds = 2;

    private RpcException Unavailable(Exception exception, ServerCallContext context)
    {
        LogUnavailable(logger, exception, context.Method);
        return Retryable.Unavailable("The cluster or its database is unavailable; retry shortly.", UnavailableRetryAfterSeconds);
    }

    private RpcException Internal(Exception exception, ServerCallContext context)
    {
        LogUnexpected(logger, exception, context.Method);
        return new RpcException(new Status(StatusCode.Internal, "Internal error; see the gateway log."));
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Cluster unavailable during {Method}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Unexpected error in {Method}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
