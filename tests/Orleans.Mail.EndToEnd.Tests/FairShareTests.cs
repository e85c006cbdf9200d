using System.Diagnostics;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Issue 4, fair share: transactional messages go ahead of a campaign's backlog on the same site.</summary>
public sealed class FairShareTests
{
    [Fact]
    public async Task TransactionalDuringCampaignBacklog_OvertakesTheBacklog_DeliveredWithinTwoSecondsOfTheCall()
    {
        const int Rate = 20;
        const int Backlog = 400; // 20 s of the site's budget
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = new MailCluster
        {
            UseSmarthost = false,
            StartReceiver = false,
            ConfigureSilo = env =>
            {
                env["Routing__Smarthost"] = receiver.Endpoint;
                env["Pacing__MessagesPerSecondPerDomain"] = Rate.ToString();
                env["Pacing__MessagesPerConnection"] = "10";
            },
        };
        await cluster.InitializeAsync();

        var rows = Enumerable.Range(0, Backlog).Select(i => new Recipient { Address = $"bulk{i}@shared.example" }).ToList();
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, rows, batchSize: 400);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var calls = new List<(string Address, DateTimeOffset At)>();
        for (var i = 0; i < 10; i++)
        {
            var address = $"tx{i}@shared.example";
            var send = new SendMessageRequest { From = "Shop <shop@sender.test>", Subject = "Your code", TextBody = "123456" };
            send.To.Add(address);
            calls.Add((address, DateTimeOffset.UtcNow));
            await cluster.Messages.SendMessageAsync(send);
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(2));

        Assert.Equal((long)Backlog, done.Delivered);
        var latencies = calls.Select(c => (receiver.ReceivedAt(c.Address) ?? DateTimeOffset.MaxValue) - c.At).ToArray();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"transactional latency behind a {Backlog}-message backlog at {Rate}/s: max {latencies.Max().TotalMilliseconds:F0} ms, " +
            $"mean {latencies.Average(l => l.TotalMilliseconds):F0} ms");
        Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(2), $"delivered {l} after the call"));
        // The backlog was still there when the last transactional message went out.
        var lastTransactional = calls.Max(c => receiver.ReceivedAt(c.Address)!.Value);
        Assert.True(receiver.ReceiptTimes.Max() > lastTransactional.AddSeconds(5));
    }
}
