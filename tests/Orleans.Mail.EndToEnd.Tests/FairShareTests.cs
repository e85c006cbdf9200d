using System.Diagnostics;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Issue 4, fair share: transactional messages go ahead of a campaign's backlog on the same site.</summary>
[Collection(TimingCollection.Name)]
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

        var calls = await SendTransactionalAsync(cluster, "shared.example", 10, TimeSpan.FromMilliseconds(500));

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(2));

        Assert.Equal((long)Backlog, done.Delivered);
        var latencies = Latencies(receiver, calls);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"transactional latency behind a {Backlog}-message backlog at {Rate}/s: max {latencies.Max().TotalMilliseconds:F0} ms, " +
            $"mean {latencies.Average(l => l.TotalMilliseconds):F0} ms");
        Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(2), $"delivered {l} after the call"));
        // The backlog was still there when the last transactional message went out.
        var lastTransactional = calls.Max(c => receiver.ReceivedAt(c.Address)!.Value);
        Assert.True(receiver.ReceiptTimes.Max() > lastTransactional.AddSeconds(5));
    }

    [Fact]
    public async Task EveryConnectionBusyWithCampaignBatches_TransactionalWaitsOnlyForAShortBatch_DeliveredWithinOneAndAHalfSecondsOfTheCall()
    {
        var latencies = await TransactionalBesideFullBatchesAsync("busy.example", shortBatchMessages: 5, transactionalBeforeCampaign: false);

        // Behind a full batch a message would wait up to 5 s; behind a short one (5 messages) about 0.5 s.
        Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(1.5), $"delivered {l} after the call"));
    }

    [Fact]
    public async Task TransactionalMailSeenAtASite_CampaignBatchesLeaveOneConnectionFree_DeliveredWithinASecondOfTheCall()
    {
        // Without short batches, and with transactional mail already flowing when the campaign starts: only the
        // connection kept free for it can make these fast. Without it the same test measured a mean of 3.4 s
        // and a max of 5.5 s (each message waits for a full batch to end).
        var latencies = await TransactionalBesideFullBatchesAsync("kept.example", shortBatchMessages: 0, transactionalBeforeCampaign: true);

        Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(1), $"delivered {l} after the call"));
    }

    /// <summary>
    /// A 600-message campaign over 4 connections to a receiver that takes 100 ms per message (a full batch of 50
    /// holds its connection for 5 s), and 2 s into it 8 transactional messages to the same domain, one per 700
    /// ms. Checks that the campaign was delivered, the connection limit held and the two really competed;
    /// returns each transactional message's time from the call to the receiver.
    /// </summary>
    private static async Task<TimeSpan[]> TransactionalBesideFullBatchesAsync(string domain, int shortBatchMessages, bool transactionalBeforeCampaign)
    {
        const int Connections = 4;
        const int Backlog = 600;
        await using var receiver = await ScriptedSmtpServer.StartAsync(saveDelay: TimeSpan.FromMilliseconds(100));
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MessagesPerSecondPerDomain"] = "1000";
            env["Pacing__MaxConnectionsPerDomain"] = Connections.ToString();
            env["Pacing__MessagesPerConnection"] = "50";
            env["Pacing__ShortBatchMessages"] = shortBatchMessages.ToString();
        });

        if (transactionalBeforeCampaign)
        {
            await SendTransactionalAsync(cluster, domain, 1, TimeSpan.Zero, prefix: "warm");
        }

        var rows = Enumerable.Range(0, Backlog).Select(i => new Recipient { Address = $"bulk{i}@{domain}" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: Backlog);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var calls = await SendTransactionalAsync(cluster, domain, 8, TimeSpan.FromMilliseconds(700));

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(2));

        Assert.Equal((long)Backlog, done.Delivered);
        var latencies = Latencies(receiver, calls);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"transactional latency beside full campaign batches (short batches {shortBatchMessages}): max {latencies.Max().TotalMilliseconds:F0} ms, " +
            $"mean {latencies.Average(l => l.TotalMilliseconds):F0} ms ({string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:F0}"))}); " +
            $"most sessions at once {receiver.MaxAdmittedSessions}");
        Assert.True(receiver.MaxAdmittedSessions <= Connections, $"{receiver.MaxAdmittedSessions} sessions at once");
        // The campaign was still sending when the last transactional message went out: they really competed.
        var lastTransactional = calls.Max(c => receiver.ReceivedAt(c.Address)!.Value);
        Assert.True(receiver.ReceiptTimes.Max() > lastTransactional.AddSeconds(3));
        return latencies;
    }

    [Fact]
    public async Task TwoCampaignsWeighted3And1_OnDifferentDomainsOfOneProviderSite_ShareItsBudgetByWeightNotByDomain()
    {
        const int Heavy = 500;
        const int Light = 300;
        const int Window = 160;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        // Three domains hosted by one provider (by their MX names): one site, one budget.
        await using var dns = await Dnsmasq.StartAsync(new DnsmasqConfig()
            .Mx("heavy.example", "aspmx.l.google.com", 10)
            .Mx("light-a.example", "aspmx.l.google.com", 10)
            .Mx("light-b.example", "alt1.aspmx.l.google.com", 10)
            .Host("aspmx.l.google.com", "127.0.0.1")
            .Host("alt1.aspmx.l.google.com", "127.0.0.1"), TestContext.Current.CancellationToken);
        await using var cluster = await MailCluster.StartWithMxAsync(dns.Server, receiver.Port, env =>
        {
            env["Sites__Providers__google__MessagesPerSecond"] = "40";
            env["Sites__Providers__google__MessagesPerConnection"] = "4";
        });

        // The heavy campaign (weight 3) on one domain; the light one (weight 1) on two: sharing by domain
        // would give the light one two thirds, sharing by campaign weight gives it a quarter.
        var heavyAddresses = Enumerable.Range(0, Heavy).Select(i => $"heavy{i}@heavy.example").ToArray();
        var lightAddresses = Enumerable.Range(0, Light).Select(i => $"light{i}@light-{(i % 2 == 0 ? 'a' : 'b')}.example").ToArray();
        var heavy = await StartAsync(cluster, weight: 3, heavyAddresses);
        var light = await StartAsync(cluster, weight: 1, lightAddresses);

        await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, heavy, TimeSpan.FromMinutes(2));
        var lightDone = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, light, TimeSpan.FromMinutes(2));

        Assert.Equal((Light, 1), ((int)lightDone.Delivered, lightDone.Weight));
        var order = heavyAddresses.Select(a => ("heavy", receiver.ReceivedAt(a)!.Value))
            .Concat(lightAddresses.Select(a => ("light", receiver.ReceivedAt(a)!.Value)))
            .OrderBy(r => r.Value)
            .Select(r => r.Item1)
            .ToArray();
        // While both have messages waiting: a window that starts once the site has seen the light campaign
        // (20 messages after its first) and ends before either could have run out.
        var from = Array.IndexOf(order, "light") + 20;
        var shared = order.Skip(from).Take(Window).ToArray();
        var heavyShare = shared.Count(c => c == "heavy");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"weights 3:1 on one site, heavy on 1 domain, light on 2: {heavyShare} of {Window} messages to the heavy campaign (expected 120); " +
            $"light campaign's first message was number {from - 19}");
        Assert.Equal(Window, shared.Length);
        Assert.InRange(heavyShare, 105, 135);
    }

    private static async Task<string> StartAsync(MailCluster cluster, int weight, IEnumerable<string> addresses)
    {
        var definition = CampaignFlow.Definition();
        definition.Weight = weight;
        var rows = addresses.Select(a => new Recipient { Address = a }).ToList();
        return (await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: rows.Count, definition)).Id;
    }

    /// <summary>Sends <paramref name="count"/> one-recipient transactional messages to <paramref name="prefix"/><i>n</i>@<paramref name="domain"/>, one per <paramref name="spacing"/>; returns when each call was made.</summary>
    private static async Task<List<(string Address, DateTimeOffset At)>> SendTransactionalAsync(
        MailCluster cluster, string domain, int count, TimeSpan spacing, string prefix = "tx")
    {
        var calls = new List<(string Address, DateTimeOffset At)>();
        for (var i = 0; i < count; i++)
        {
            var address = $"{prefix}{i}@{domain}";
            var send = new SendMessageRequest { From = "Shop <shop@sender.test>", Subject = "Your code", TextBody = "123456" };
            send.To.Add(address);
            calls.Add((address, DateTimeOffset.UtcNow));
            await cluster.Messages.SendMessageAsync(send);
            await Task.Delay(spacing, TestContext.Current.CancellationToken);
        }

        return calls;
    }

    /// <summary>From each call to its receipt at <paramref name="receiver"/> (<see cref="TimeSpan.MaxValue"/>-like when never received).</summary>
    private static TimeSpan[] Latencies(ScriptedSmtpServer receiver, List<(string Address, DateTimeOffset At)> calls) =>
        calls.Select(c => (receiver.ReceivedAt(c.Address) ?? DateTimeOffset.MaxValue) - c.At).ToArray();
}
