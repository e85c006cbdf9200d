using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// Issue 5, back-pressure: when the spool is far behind, the gateway answers RESOURCE_EXHAUSTED with a retry
/// hint instead of accepting more, keeps everything it accepted, and accepts again once the spool drains.
/// </summary>
public sealed class BackpressureTests
{
    [Fact]
    public async Task SpoolOverTheBound_SendAndAddRecipientsRefusedWithRetryHint_AcceptedMailDelivered_AcceptsAgainAfterDrain()
    {
        const int Bound = 100;
        const int Campaign = 150;
        var token = TestContext.Current.CancellationToken;
        // The receiver defers everything for a while, so the campaign's messages stay in the spool.
        await using var receiver = await ScriptedSmtpServer.StartAsync(deferAllFor: TimeSpan.FromSeconds(15));
        await using var cluster = new MailCluster
        {
            UseSmarthost = false,
            StartReceiver = false,
            ConfigureSilo = env =>
            {
                env["Routing__Smarthost"] = receiver.Endpoint;
                // The receiver's deferrals are throttle replies: retry them within seconds, not a minute.
                env["Retry__ThrottleRetrySeconds"] = "1";
            },
            ConfigureGateway = env =>
            {
                env["Gateway__MaxBacklogMessages"] = Bound.ToString();
                env["Gateway__BacklogRetryAfterSeconds"] = "5";
            },
        };
        await cluster.InitializeAsync();

        var rows = Enumerable.Range(0, Campaign).Select(i => new Recipient { Address = $"bulk{i}@pressure.example" }).ToList();
        var started = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 50);

        // Transactional mail is accepted until the gateway sees the backlog, then refused (bounded wait).
        var (accepted, refused) = await SendUntilRefusedAsync(cluster, "pressure.example", 60);

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("5000", refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Contains("Gateway:MaxBacklogMessages", refused.Status.Detail);

        // A recipient stream is refused too, and nothing of the refused batch is stored.
        var other = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition(), cancellationToken: token);
        var streamError = await Assert.ThrowsAsync<RpcException>(() =>
            CampaignFlow.AddAsync(cluster.Campaigns, other.Id, [new Recipient { Address = "late@pressure.example" }], batchSize: 10));
        Assert.Equal(StatusCode.ResourceExhausted, streamError.StatusCode);
        Assert.Equal(0, (await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = other.Id }, cancellationToken: token)).Total);

        // Everything accepted before is delivered once the receiver takes mail again.
        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, started.Id, TimeSpan.FromMinutes(2));
        Assert.Equal((long)Campaign, done.Delivered);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (accepted.Any(a => receiver.ReceivedAt(a) is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, token);
        }

        Assert.All(accepted, a => Assert.NotNull(receiver.ReceivedAt(a)));

        // The spool has drained: the gateway accepts again (within a few seconds of its next count).
        SendMessageResponse? again = null;
        for (var i = 0; i < 40 && again is null; i++)
        {
            try
            {
                again = await cluster.Messages.SendMessageAsync(Send("after@pressure.example"), cancellationToken: token);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                await Task.Delay(250, token);
            }
        }

        Assert.NotNull(again);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"back-pressure: bound {Bound}; {accepted.Count} transactional messages accepted before the gateway refused; all delivered");
    }

    [Fact]
    public async Task SiteOverItsBound_SendToItRefusedWithRetryHint_SendToAnotherSiteAccepted()
    {
        const int Bound = 50;
        var token = TestContext.Current.CancellationToken;
        // The receiver defers everything: the campaign's 80 messages stay waiting for their site.
        await using var receiver = await ScriptedSmtpServer.StartAsync(deferAllFor: TimeSpan.FromMinutes(5));
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MaxSiteBacklogMessages"] = Bound.ToString();
            env["Pacing__SiteBacklogRetrySeconds"] = "7";
            env["Retry__ThrottleRetrySeconds"] = "1";
        });
        var rows = Enumerable.Range(0, 80).Select(i => new Recipient { Address = $"bulk{i}@behind.example" }).ToList();
        await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 80);

        // The site's pacer counts its backlog every 10 s: sends to it are refused once it has (bounded wait).
        var (_, refused) = await SendUntilRefusedAsync(cluster, "behind.example", 100);

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("7000", refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Contains("behind.example", refused.Status.Detail);
        Assert.Contains("Pacing:MaxSiteBacklogMessages", refused.Status.Detail);
        // Another destination is not held back by this one.
        var other = await cluster.Messages.SendMessageAsync(Send("someone@elsewhere.example"), cancellationToken: token);
        Assert.StartsWith("msg_", other.Id);
    }

    /// <summary>Sends to tx0@DOMAIN, tx1@DOMAIN, … every 250 ms until one is refused or <paramref name="calls"/> are made.</summary>
    private static async Task<(List<string> Accepted, RpcException? Refused)> SendUntilRefusedAsync(MailCluster cluster, string domain, int calls)
    {
        var accepted = new List<string>();
        for (var i = 0; i < calls; i++)
        {
            var address = $"tx{i}@{domain}";
            try
            {
                await cluster.Messages.SendMessageAsync(Send(address), cancellationToken: TestContext.Current.CancellationToken);
            }
            catch (RpcException ex)
            {
                return (accepted, ex);
            }

            accepted.Add(address);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        return (accepted, null);
    }

    private static SendMessageRequest Send(string to)
    {
        var request = new SendMessageRequest { From = "Shop <shop@sender.test>", Subject = "Receipt", TextBody = "Thanks." };
        request.To.Add(to);
        return request;
    }
}
