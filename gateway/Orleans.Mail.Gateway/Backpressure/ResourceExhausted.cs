using System.Globalization;
using Grpc.Core;

namespace Orleans.Mail.Gateway.Backpressure;

/// <summary>The one shape of a back-pressure refusal: <c>RESOURCE_EXHAUSTED</c> with a <c>grpc-retry-pushback-ms</c> trailer (gRFC A6).</summary>
public static class ResourceExhausted
{
    /// <summary>The refusal, with <paramref name="message"/> as its detail and a retry hint of <paramref name="retryAfterSeconds"/> s.</summary>
    public static RpcException Create(string message, int retryAfterSeconds) => new(
        new Status(StatusCode.ResourceExhausted, message),
        new Grpc.Core.Metadata { { "grpc-retry-pushback-ms", (retryAfterSeconds * 1000L).ToString(CultureInfo.InvariantCulture) } });
}
