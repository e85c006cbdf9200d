using System.Net;
using System.Net.Sockets;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Tests.Routing;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>C29 — null MX (RFC 7505): permanent 5.1.10 bad-domain at once, no connection, the A record unused.</summary>
public sealed class C29_NullMxTests(MxZonesFixture zones) : IClassFixture<MxZonesFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task C29_NullMxDomain_PermanentBadDomain5110WithoutEndpoints()
    {
        var resolution = await MxZonesFixture.Resolver(zones.Dns.Server).ResolveAsync("nullmx.example", Cancel);

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((true, 556, "5.1.10", ReplyClass.BadDomain), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
    }

    [Fact]
    public async Task C29_NullMxDomainWithARecord_NoConnectionToTheAddress()
    {
        // nullmx.example has A 127.0.0.8: anything connecting there would be a bug.
        var listener = new TcpListener(IPAddress.Parse("127.0.0.8"), 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var resolution = await MxZonesFixture.Resolver(zones.Dns.Server, mxPort: port).ResolveAsync("nullmx.example", Cancel);

            Assert.Empty(resolution.Endpoints);
            Assert.NotNull(resolution.Failure);
            Assert.False(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task C29_NullMxFailureReply_ClassifiedAsBouncedBadDomain()
    {
        var failure = (await MxZonesFixture.Resolver(zones.Dns.Server).ResolveAsync("nullmx.example", Cancel)).Failure!;

        var reply = SmtpReply.Parse(failure.Reply);
        var result = ReplyClassifier.Default.Classify(SmtpStage.Rcpt, reply);

        Assert.Equal("5.1.10", reply.EnhancedCode?.ToString());
        Assert.Equal((ReplyAction.Bounce, ReplyClass.BadDomain), (result.Action, result.Class));
    }
}
