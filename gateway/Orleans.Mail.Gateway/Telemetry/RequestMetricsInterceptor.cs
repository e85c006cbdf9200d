using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Orleans.Mail.Gateway.Telemetry;

/// <summary>Counts every gRPC call by method and final status (<see cref="GatewayMetrics"/>), and times it.</summary>
public sealed class RequestMetricsInterceptor : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            Count(context, StatusCode.OK, started);
            return response;
        }
        catch (Exception ex)
        {
            Count(context, StatusOf(ex), started);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(requestStream, context);
            Count(context, StatusCode.OK, started);
            return response;
        }
        catch (Exception ex)
        {
            Count(context, StatusOf(ex), started);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context);
            Count(context, StatusCode.OK, started);
        }
        catch (Exception ex)
        {
            Count(context, StatusOf(ex), started);
            throw;
        }
    }

    // Anything not already an RpcException is answered as INTERNAL by gRPC, unless the error interceptor
    // (inside this one) has mapped it; the cancelled client is CANCELLED.
    private static StatusCode StatusOf(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    private static void Count(ServerCallContext context, StatusCode code, long started)
    {
        // "/orleans.mail.v1.MessageService/SendMessage" → "SendMessage".
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        var methodTag = new KeyValuePair<string, object?>("method", method);
        GatewayMetrics.Requests.Add(1, methodTag, new KeyValuePair<string, object?>("code", CodeName(code)));
        GatewayMetrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, methodTag);
    }

    private static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        _ => code.ToString().ToUpperInvariant(),
    };
}
