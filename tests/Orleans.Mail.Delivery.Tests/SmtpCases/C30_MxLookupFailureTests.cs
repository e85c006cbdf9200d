using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery.Retries;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Smtp;
using Orleans.Mail.Delivery.Tests.Routing;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C30 — MX look-up failures over a real dnsmasq: no MX (implicit MX), timeout (defer, then expire), NXDOMAIN
/// (bounce bad-domain 5.1.2), an MX host without an address (defer, no fall-back to the domain's A record).
/// </summary>
public sealed class C30_MxLookupFailureTests(MxZonesFixture zones) : IClassFixture<MxZonesFixture>
{
    private static readonly DateTimeOffset Accepted = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private Task<RouteResolution> Resolve(string domain) => MxZonesFixture.Resolver(zones.Dns.Server).ResolveAsync(domain, Cancel).AsTask();

    [Fact]
    public async Task C30_NoMxButARecord_ImplicitMxToTheDomainAddress()
    {
        var resolution = await Resolve("implicit.example");

        Assert.Null(resolution.Failure);
        Assert.Equal(new SmtpEndpoint("127.0.0.7", 2525, "implicit.example"), resolution.Endpoints[0]);
    }

    [Fact]
    public async Task C30_MxLookupTimesOut_TemporaryDnsTemporaryDeferred()
    {
        var resolution = await Resolve("slow.example");

        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((false, 451, "4.4.3", ReplyClass.DnsTemporary), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        var result = ReplyClassifier.Default.Classify(SmtpStage.Any, failure.Reply);
        Assert.Equal((ReplyAction.Defer, ReplyClass.DnsTemporary, false), (result.Action, result.Class, result.Suppress));
    }

    [Fact]
    public async Task C30_MxLookupServfail_TemporaryDnsTemporaryDeferred()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var answering = AnswerServfailAsync(server, stop.Token);

        var resolution = await MxZonesFixture.Resolver($"127.0.0.1:{port}").ResolveAsync("b.example", Cancel);
        await stop.CancelAsync();
        await answering;

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((false, 451, "4.4.3", ReplyClass.DnsTemporary), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        Assert.DoesNotContain("timed out", failure.Reason, StringComparison.Ordinal);
        var result = ReplyClassifier.Default.Classify(SmtpStage.Any, failure.Reply);
        Assert.Equal((ReplyAction.Defer, ReplyClass.DnsTemporary, false), (result.Action, result.Class, result.Suppress));
    }

    /// <summary>Answers every query with SERVFAIL (RCODE 2), the question echoed, until cancelled.</summary>
    private static async Task AnswerServfailAsync(UdpClient server, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var query = await server.ReceiveAsync(cancellationToken);
                var q = query.Buffer;
                var end = 12;
                while (end < q.Length && q[end] != 0)
                {
                    end += q[end] + 1;
                }

                end = Math.Min(end + 5, q.Length);
                var answer = new byte[end];
                Array.Copy(q, answer, end);
                answer[2] = (byte)(0x80 | (q[2] & 0x79));
                answer[3] = 0x82;
                answer[4] = 0;
                answer[5] = 1;
                Array.Clear(answer, 6, 6);
                await server.SendAsync(answer, query.RemoteEndPoint, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public void C30_DnsTemporaryAtMaxAge_ExpiresNeverBounces()
    {
        var time = new FakeTimeProvider(Accepted);
        var options = new RetryOptions();
        var schedule = new RetrySchedule(Options.Create(options), time);

        var first = schedule.NextAttempt(1, Accepted, RetryProfile.Bulk, "451 4.4.3 DNS MX look-up for 'slow.example' timed out.");
        time.Advance(TimeSpan.FromSeconds(options.MaxAgeSeconds));

        Assert.NotNull(first);
        Assert.Null(schedule.NextAttempt(30, Accepted, RetryProfile.Bulk, "451 4.4.3 DNS MX look-up for 'slow.example' timed out."));
    }

    [Fact]
    public async Task C30_NxDomain_PermanentBadDomain512Bounced()
    {
        var resolution = await Resolve("nx.example");

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.Equal((true, 550, "5.1.2", ReplyClass.BadDomain), (failure.Permanent, failure.Code, failure.EnhancedCode, failure.Class));
        var result = ReplyClassifier.Default.Classify(SmtpStage.Rcpt, failure.Reply);
        Assert.Equal((ReplyAction.Bounce, ReplyClass.BadDomain), (result.Action, result.Class));
    }

    [Fact]
    public async Task C30_MxHostWithoutAddress_TemporaryWithoutFallbackToDomainARecord()
    {
        var resolution = await Resolve("dead.example");

        Assert.Empty(resolution.Endpoints);
        var failure = Assert.IsType<RouteFailure>(resolution.Failure);
        Assert.False(failure.Permanent);
        Assert.Equal(ReplyClass.DnsTemporary, failure.Class);
        Assert.DoesNotContain("127.0.0.10", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(ReplyAction.Defer, ReplyClassifier.Default.Classify(SmtpStage.Any, failure.Reply).Action);
    }
}
