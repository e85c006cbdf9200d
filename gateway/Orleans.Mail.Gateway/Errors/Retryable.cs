using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Orleans.Mail.Gateway.Errors;

/// <summary>
/// The one shape of a refusal the caller should retry: <c>UNAVAILABLE</c> carrying <c>google.rpc.RetryInfo</c>
/// (AIP-194) in <c>grpc-status-details-bin</c> and the same delay as a <c>grpc-retry-pushback-ms</c> trailer (gRFC A6).
/// </summary>
public static class Retryable
{
    /// <summary>An <c>UNAVAILABLE</c> error with <paramref name="message"/> and a retry delay of <paramref name="retryAfterSeconds"/> s.</summary>
    public static RpcException Unavailable(string message, int retryAfterSeconds)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(retryAfterSeconds)) }) },
        };
        var exception = status.ToRpcException();
        exception.Trailers.Add("grpc-retry-pushback-ms", (retryAfterSeconds * 1000L).ToString(CultureInfo.InvariantCulture));
        return exception;
    }
}
