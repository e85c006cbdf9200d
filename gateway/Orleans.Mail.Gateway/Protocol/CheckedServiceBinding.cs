using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.Mail.Gateway.Protocol;

/// <summary>Registration of <see cref="CheckedServiceMethodProvider{TService}"/>.</summary>
public static class CheckedServiceBinding
{
    /// <summary>
    /// Replaces grpc-dotnet's default service binder (every <c>IServiceMethodProvider&lt;&gt;</c> registered as an open
    /// generic) with <see cref="CheckedServiceMethodProvider{TService}"/>, so that a request that cannot be parsed answers
    /// <c>INVALID_ARGUMENT</c>. Call after every <c>AddGrpc</c>, <c>AddGrpcReflection</c> and <c>AddGrpcHealthChecks</c>.
    /// </summary>
    public static IServiceCollection UseCheckedRequestParsing(this IServiceCollection services)
    {
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(CheckedServiceMethodProvider<>)));
        return services;
    }
}
