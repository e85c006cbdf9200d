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
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MessagesPerSecondPerDomain"] = Rate.ToString();
            env["Pacing__MessagesPerConnection"] = "10";
        });

        var rows = Enumerable.Range(0, Backlog).Select(i => new Recipient { Address = $"bulk{i}@shared.example" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 400);
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

    [Fact]
    public async Task TwoCampaignsWeighted3And1_OneSite_ShareItsBudgetInProportion()
    {
        const int Each = 300;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MessagesPerSecondPerDomain"] = "40";
            env["Pacing__MessagesPerConnection"] = "4";
        });

        var heavy = await StartAsync(cluster, "heavy", weight: 3, Each);
        var light = await StartAsync(cluster, "light", weight: 1, Each);

        await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, heavy, TimeSpan.FromMinutes(2));
        var lightDone = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, light, TimeSpan.FromMinutes(2));

        Assert.Equal((Each, 1), ((int)lightDone.Delivered, lightDone.Weight));
        var order = Enumerable.Range(0, Each).Select(i => ("heavy", receiver.ReceivedAt($"heavy{i}@weights.example")!.Value))
            .Concat(Enumerable.Range(0, Each).Select(i => ("light", receiver.ReceivedAt($"light{i}@weights.example")!.Value)))
            .OrderBy(r => r.Value)
            .Select(r => r.Item1)
            .ToArray();
        // While both have messages waiting (after the site has seen both), the heavy one gets three quarters.
        var shared = order.Skip(100).Take(160).ToArray();
        var heavyShare = shared.Count(c => c == "heavy");
        TestContext.Current.TestOutputHelper?.WriteLine($"weights 3:1 on one site: {heavyShare} of 160 messages to the heavy campaign (expected 120)");
        Assert.InRange(heavyShare, 105, 135);
    }

    private static async Task<string> StartAsync(MailCluster cluster, string prefix, int weight, int count)
    {
        var definition = CampaignFlow.Definition();
        definition.Weight = weight;
        var rows = Enumerable.Range(0, count).Select(i => new Recipient { Address = $"{prefix}{i}@weights.example" }).ToList();
        return (await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: count, definition)).Id;
    }
}
