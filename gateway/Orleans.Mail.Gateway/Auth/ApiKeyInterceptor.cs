using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace Orleans.Mail.Gateway.Auth;

/// <summary>
/// Authenticates every API call by the <c>authorization: Bearer &lt;api key&gt;</c> metadata and records the
/// caller's tenant for the services. A missing or unknown key answers <c>UNAUTHENTICATED</c>. Health checks
/// and reflection are open, as load balancers and tools expect.
/// </summary>
public sealed class ApiKeyInterceptor(IOptionsMonitor<GatewayOptions> options) : Interceptor
{
    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        if (context.Method.StartsWith("/grpc.health.", StringComparison.Ordinal)
            || context.Method.StartsWith("/grpc.reflection.", StringComparison.Ordinal))
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Missing 'authorization: Bearer <api key>' metadata."));
        }

        var key = header[scheme.Length..].Trim();
        if (!options.CurrentValue.ApiKeys.TryGetValue(key, out var tenant))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Unknown API key."));
        }

        context.UserState[TenantContext.Key] = tenant;
    }
}
