using Grpc.Core;
using Microsoft.Extensions.Options;
using Orleans.Mail.Gateway.Backpressure;

namespace Orleans.Mail.Gateway.Tests.Backpressure;

public sealed class SpoolBacklogTests
{
    [Fact]
    public void ThrowIfFull_AtTheBound_ResourceExhaustedWithRetryPushbackTrailer()
    {
        var backlog = new SpoolBacklog(Options(bound: 1000, retrySeconds: 7));
        backlog.Update(1000);

        var error = Assert.Throws<RpcException>(backlog.ThrowIfFull);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("7000", error.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Contains("1,000 messages behind", error.Status.Detail);
        Assert.Contains("retry in 7 s", error.Status.Detail);
    }

    [Theory]
    [InlineData(1000, 999)]
    [InlineData(1000, -1)]
    [InlineData(0, 50_000_000)]
    public void ThrowIfFull_BelowTheBoundNotCountedYetOrBoundOff_Accepts(long bound, long messages)
    {
        var backlog = new SpoolBacklog(Options(bound, retrySeconds: 30));
        if (messages >= 0)
        {
            backlog.Update(messages);
        }

        backlog.ThrowIfFull();

        Assert.Equal(messages, backlog.Messages);
    }

    private static IOptionsMonitor<GatewayOptions> Options(long bound, int retrySeconds) =>
        new FixedOptions(new GatewayOptions { MaxBacklogMessages = bound, BacklogRetryAfterSeconds = retrySeconds });

    private sealed class FixedOptions(GatewayOptions value) : IOptionsMonitor<GatewayOptions>
    {
        public GatewayOptions CurrentValue => value;

        public GatewayOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<GatewayOptions, string?> listener) => null;
    }
}
