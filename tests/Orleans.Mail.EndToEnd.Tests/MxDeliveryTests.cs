using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Delivery in MX mode over real DNS (dnsmasq) to a scripted SMTP server with per-recipient answers.</summary>
public sealed class MxDeliveryTests
{
    [Fact]
    public async Task Campaign_GoodUnknownGreylistedAndNullMx_RightCountPerStateAndUnknownsSuppressedNextTime()
    {
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var dns = await Dnsmasq.StartAsync(new DnsmasqConfig()
            .Mx("mixed.example", "mx.mixed.example", 10)
            .Host("mx.mixed.example", "127.0.0.1")
            .NullMx("nullmx.example"), TestContext.Current.CancellationToken);
        await using var cluster = await MailCluster.StartWithMxAsync(dns.Server, receiver.Port);

        // C29: an envelope sender in a null-MX domain could never receive its bounces.
        var nullSender = CampaignFlow.Definition();
        nullSender.EnvelopeSender = "bounces@nullmx.example";
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => cluster.Campaigns.CreateCampaignAsync(nullSender).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("envelope_sender", refused.Status.Detail, StringComparison.Ordinal);
        var send = new SendMessageRequest { From = "Shop <shop@nullmx.example>", Subject = "s", TextBody = "b" };
        send.To.Add("good0@mixed.example");
        var refusedSend = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => cluster.Messages.SendMessageAsync(send).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, refusedSend.StatusCode);

        var rows = new List<Recipient>();
        rows.AddRange(Enumerable.Range(0, 10).Select(i => new Recipient { Address = $"good{i}@mixed.example" }));
        rows.AddRange(Enumerable.Range(0, 3).Select(i => new Recipient { Address = $"unknown{i}@mixed.example" }));
        rows.AddRange(Enumerable.Range(0, 2).Select(i => new Recipient { Address = $"grey{i}@mixed.example" }));
        rows.AddRange(Enumerable.Range(0, 2).Select(i => new Recipient { Address = $"someone{i}@nullmx.example" }));

        var first = await RunAsync(cluster, rows);
        Assert.Equal((17L, 12L, 5L, 0L, 0L, 0L), (first.Total, first.Delivered, first.Bounced, first.Deferred, first.Expired, first.Suppressed));
        Assert.Equal(12, first.ClassCounts["ok"]);
        Assert.Equal(3, first.ClassCounts["invalid-recipient"]);
        // Every attempt records which classification rule decided it (C09).
        var unknowns = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = first.Id, State = MessageState.Bounced });
        var unknown = unknowns.Messages.First(m => m.Recipient.StartsWith("unknown", StringComparison.Ordinal));
        var attempt = Assert.Single(Assert.Single((await cluster.Messages.GetMessageAsync(new GetMessageRequest { Id = unknown.Id })).Recipients).Attempts);
        Assert.Equal("invalid-recipient", attempt.Class);
        Assert.NotEqual(string.Empty, attempt.Rule);
        Assert.Equal(2, first.ClassCounts["bad-domain"]);

        // The receiver's own record: each good and greylisted recipient exactly once; greylisted ones tried twice.
        var received = receiver.Received.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(12, received.Count);
        Assert.Equal(12, received.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(2, receiver.RcptAttempts("grey0@mixed.example"));
        Assert.Equal(1, receiver.RcptAttempts("unknown0@mixed.example"));
        Assert.Equal(0, receiver.RcptAttempts("someone0@nullmx.example"));

        // Recipient-level bounces are suppressed for the next campaign: no attempt at all.
        var second = await RunAsync(cluster, rows);
        Assert.Equal((17L, 12L, 0L, 5L), (second.Total, second.Delivered, second.Bounced, second.Suppressed));
        Assert.Equal(1, receiver.RcptAttempts("unknown0@mixed.example"));
        Assert.Equal(24, receiver.Received.SelectMany(m => m.Recipients).Count());
    }

    private static async Task<Campaign> RunAsync(MailCluster cluster, IReadOnlyList<Recipient> rows)
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, rows, batchSize: 100);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
        try
        {
            return await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{cluster.Diagnostics}", ex);
        }
    }
}
