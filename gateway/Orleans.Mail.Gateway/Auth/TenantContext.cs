using Grpc.Core;

namespace Orleans.Mail.Gateway.Auth;

/// <summary>The authenticated caller's tenant, set by <see cref="ApiKeyInterceptor"/>.</summary>
public static class TenantContext
{
    /// <summary>The key under which the tenant id is kept in <see cref="ServerCallContext.UserState"/>.</summary>
    public const string Key = "orleans-mail.tenant";

    /// <summary>The caller's tenant id.</summary>
    /// <exception cref="RpcException"><c>UNAUTHENTICATED</c> when the call was not authenticated.</exception>
    public static string Tenant(this ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var tenant) && tenant is string id
            ? id
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "Not authenticated."));
}
