using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Orleans.Mail.Gateway.Protocol;

/// <summary>
/// Binds every gRPC service the gateway maps (ours, health and reflection) the way grpc-dotnet's own binder does — through
/// the generated <c>BindService(ServiceBinderBase, …)</c> that <see cref="BindServiceMethodAttribute"/> names — but with
/// each method's request marshaller wrapped by <see cref="CheckedRequestMarshaller"/>. Registered in place of
/// grpc-dotnet's default provider (see <see cref="CheckedServiceBinding.UseCheckedRequestParsing"/>).
/// </summary>
/// <typeparam name="TService">The service implementation type.</typeparam>
public sealed class CheckedServiceMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var attribute = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true);
        var bind = attribute?.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is [{ } first, _] && first.ParameterType == typeof(ServiceBinderBase));
        bind?.Invoke(null, [new Binder(context), null]);
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context) : ServiceBinderBase
    {
        private static readonly List<object> Metadata = [.. typeof(TService).GetCustomAttributes(inherit: true)];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(CheckedRequestMarshaller.Wrap(method), Metadata,
                Invoker<Grpc.AspNetCore.Server.Model.UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(CheckedRequestMarshaller.Wrap(method), Metadata,
                Invoker<Grpc.AspNetCore.Server.Model.ClientStreamingServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(CheckedRequestMarshaller.Wrap(method), Metadata,
                Invoker<Grpc.AspNetCore.Server.Model.ServerStreamingServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(CheckedRequestMarshaller.Wrap(method), Metadata,
                Invoker<Grpc.AspNetCore.Server.Model.DuplexStreamingServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        // An open-instance delegate to the service's own override of the method: the service instance is created per
        // call by grpc-dotnet's activator and passed as the first argument.
        private static TDelegate Invoker<TDelegate>(string name, params Type[] parameters)
            where TDelegate : Delegate =>
            typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)?.CreateDelegate<TDelegate>()
            ?? throw new InvalidOperationException($"{typeof(TService).Name} has no method {name} to bind.");
    }
}
