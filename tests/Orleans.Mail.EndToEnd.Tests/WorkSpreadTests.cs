using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// Issue 5: SMTP sessions are spread over all silos, not only the silo of a hot site's pacer. Each silo sends
/// from its own source address, so the receiver itself says which silo delivered what.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class WorkSpreadTests
{
    [Fact]
    public async Task ThreeSilos_OneProviderIs40PercentOfTheList_EverySiloDelivers25To42Percent()
    {
        // Large enough that each site has hundreds of batches: their rotation over the slots evens out.
        const int Count = 6000;
        const int OtherDomains = 6;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        var dnsConfig = new DnsmasqConfig()
            .Mx("hot.example", "aspmx.l.google.com", 10)
            .Host("aspmx.l.google.com", "127.0.0.1");
        for (var d = 0; d < OtherDomains; d++)
        {
            dnsConfig = dnsConfig.Mx($"other{d}.example", $"mx.other{d}.example", 10).Host($"mx.other{d}.example", "127.0.0.1");
        }

        await using var dns = await Dnsmasq.StartAsync(dnsConfig, TestContext.Current.CancellationToken);
        await using var cluster = await MailCluster.StartWithMxAsync(dns.Server, receiver.Port, env =>
        {
            env["Sites__Providers__google__MessagesPerSecond"] = "300";
            env["Sites__Providers__google__MaxConnections"] = "6";
            env["Sites__Providers__google__MessagesPerConnection"] = "20";
            env["Pacing__MessagesPerConnection"] = "20";
            // Nine connections per other site: three slots on each silo, so each site's own split is even too.
            env["Pacing__MaxConnectionsPerDomain"] = "9";
        }, extraSilos: 2, sourceAddressPerSilo: true);

        // 40% to one provider site, the rest over six sites of their own.
        var rows = Enumerable.Range(0, Count)
            .Select(i => new Recipient { Address = i % 5 < 2 ? $"user{i}@hot.example" : $"user{i}@other{i % OtherDomains}.example" })
            .ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 1000);
        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(3));

        Assert.Equal((long)Count, done.Delivered);
        var bySilo = Enumerable.Range(0, 3).Select(i => receiver.RecipientsBySource.GetValueOrDefault(MailCluster.SourceAddressOf(i))).ToArray();
        Assert.Equal(Count, bySilo.Sum());
        var shares = bySilo.Select(n => (double)n / Count).ToArray();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"deliveries per silo (by source address at the receiver): {string.Join(", ", bySilo.Select((n, i) => $"silo {i}: {n} ({shares[i]:P1})"))}");
        // Per destination and silo, to see where an uneven spread comes from.
        foreach (var domain in rows.Select(r => r.Address[(r.Address.IndexOf('@') + 1)..]).Distinct().Order(StringComparer.Ordinal))
        {
            var perSilo = Enumerable.Range(0, 3).Select(i => rows.Count(r => r.Address.EndsWith("@" + domain, StringComparison.Ordinal)
                && receiver.SourceOf(r.Address) == MailCluster.SourceAddressOf(i)));
            TestContext.Current.TestOutputHelper?.WriteLine($"  {domain}: {string.Join(" / ", perSilo)}");
        }

        Assert.All(shares, share => Assert.InRange(share, 0.25, 0.42));
    }

    [Fact]
    public async Task TwoSilosJoinMidCampaign_SlotsMoveToThem_SiteNeverOverItsConnectionLimit()
    {
        const int Count = 2400;
        const int Connections = 4;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var dns = await Dnsmasq.StartAsync(new DnsmasqConfig()
            .Mx("joined.example", "aspmx.l.google.com", 10)
            .Host("aspmx.l.google.com", "127.0.0.1"), TestContext.Current.CancellationToken);
        await using var cluster = await MailCluster.StartWithMxAsync(dns.Server, receiver.Port, env =>
        {
            env["Sites__Providers__google__MessagesPerSecond"] = "40";
            env["Sites__Providers__google__MaxConnections"] = Connections.ToString();
            // Sessions kept open for long: a slot's idle session left behind on the silo it moved from would
            // still be open when the slot's next session opens on its new silo.
            env["Sites__Providers__google__IdleConnectionMs"] = "30000";
            env["Pacing__BurstSeconds"] = "0.2";
        }, sourceAddressPerSilo: true);

        var rows = Enumerable.Range(0, Count).Select(i => new Recipient { Address = $"user{i}@joined.example" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 1200);
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var beforeJoin = receiver.ReceiptTimes.Count;
        await cluster.AddSilosAsync(2);
        var afterJoin = receiver.ReceiptTimes.Count;
        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(3));

        Assert.Equal((Count, (long)Count), (done.Total, done.Delivered));
        var received = receiver.Received.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(Count, received.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var bySilo = Enumerable.Range(0, 3).Select(i => receiver.RecipientsBySource.GetValueOrDefault(MailCluster.SourceAddressOf(i))).ToArray();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{beforeJoin} delivered before the joins, {afterJoin} when both were active; per silo {string.Join(" / ", bySilo)}; most sessions at once {receiver.MaxAdmittedSessions} (limit {Connections})");
        // Slots moved to the silos that joined: both delivered part of the campaign.
        Assert.True(bySilo[1] > 0 && bySilo[2] > 0, $"per silo {string.Join(" / ", bySilo)}");
        Assert.True(receiver.MaxAdmittedSessions <= Connections, $"{receiver.MaxAdmittedSessions} sessions at once (limit {Connections})");
    }
}
