using Grpc.Core;
using Grpc.Net.Client;

namespace Orleans.Mail.Cli;

/// <summary>A gRPC channel to the gateway that adds the API key to every call.</summary>
public static class GatewayConnection
{
    /// <summary>Opens a channel from <c>--gateway</c> / <c>--api-key</c> or their environment variables.</summary>
    /// <exception cref="ArgumentException">No API key was given.</exception>
    public static GrpcChannel Open(CliArguments options)
    {
        var address = options.Get("gateway") ?? Environment.GetEnvironmentVariable("ORLEANS_MAIL_GATEWAY") ?? "http://127.0.0.1:5080";
        var key = options.Get("api-key") ?? Environment.GetEnvironmentVariable("ORLEANS_MAIL_API_KEY")
            ?? throw new ArgumentException("--api-key (or ORLEANS_MAIL_API_KEY) is required.");
        return Open(address, key);
    }

    /// <summary>Opens a channel to <paramref name="address"/> sending <c>authorization: Bearer <paramref name="apiKey"/></c>.</summary>
    public static GrpcChannel Open(string address, string apiKey)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {apiKey}");
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(address.StartsWith("https", StringComparison.Ordinal) ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });
    }
}
