using Grpc.Core;

namespace Orleans.Mail.Gateway.Protocol;

/// <summary>
/// Wraps a method's request marshaller so that bytes that are not a valid message (truncated, a wrong wire type, invalid
/// UTF-8 in a string field, a dangling tag) answer <c>INVALID_ARGUMENT</c>. grpc-dotnet reads a request before any
/// interceptor runs and answers <c>UNKNOWN</c> for an exception there (<c>INTERNAL</c> once it reaches our error
/// mapping in a stream), which says "our bug" to a client whose request was at fault.
/// </summary>
public static class CheckedRequestMarshaller
{
    /// <summary>The text of the error, followed by the parser's reason.</summary>
    public const string Message = "The request is not a valid protobuf message for this method";

    /// <summary>A copy of <paramref name="method"/> whose request deserializer raises <c>INVALID_ARGUMENT</c> on bad bytes.</summary>
    public static Method<TRequest, TResponse> Wrap<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var inner = method.RequestMarshaller;
        var checkedMarshaller = new Marshaller<TRequest>(inner.ContextualSerializer, context =>
        {
            try
            {
                return inner.ContextualDeserializer(context);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not RpcException)
            {
                var reason = ex.Message.Length <= 200 ? ex.Message : ex.Message[..200];
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"{Message}: {reason}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, checkedMarshaller, method.ResponseMarshaller);
    }
}
