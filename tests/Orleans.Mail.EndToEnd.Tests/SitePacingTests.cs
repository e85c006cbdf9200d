using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// Issue 4: domains whose MX hosts belong to one provider are one site with one budget, and that budget
/// holds for a cluster of three silos, measured from the receiver's own timestamps.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class SitePacingTests
{
    private const int Rate = 50;
    private const int Connections = 4;

    [Fact]
    public async Task ProviderSite_TwoDomainsOnGoogleMx_ThreeSilos_ReceiverSees50PerSecondWithin5PercentAndConnectionsWithinLimit()
    {
        const int Count = 6000;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        // Two unrelated domains hosted by the same provider (by their MX host names), served by a real DNS server.
        await using var dns = await Dnsmasq.StartAsync(new DnsmasqConfig()
            .Mx("alpha.example", "aspmx.l.google.com", 10)
            .Mx("beta.example", "gmail-smtp-in.l.google.com", 5)
            .Host("aspmx.l.google.com", "127.0.0.1")
            .Host("gmail-smtp-in.l.google.com", "127.0.0.1"), TestContext.Current.CancellationToken);
        await using var cluster = await MailCluster.StartWithMxAsync(dns.Server, receiver.Port, env =>
        {
            env["Sites__Providers__google__MessagesPerSecond"] = Rate.ToString();
            env["Sites__Providers__google__MaxConnections"] = Connections.ToString();
            // The per-domain default is far above: only the site's budget can explain the pace.
            env["Pacing__MessagesPerSecondPerDomain"] = "1000";
            // Bursts of at most 0.2 s of the rate (10 messages) after any pause.
            env["Pacing__BurstSeconds"] = "0.2";
        }, extraSilos: 2);

        var rows = Enumerable.Range(0, Count)
            .Select(i => new Recipient { Address = i % 2 == 0 ? $"user{i}@alpha.example" : $"user{i}@beta.example" })
            .ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 1000);

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromSeconds(Count / Rate + 90));

        Assert.Equal((Count, (long)Count), (done.Total, done.Delivered));
        var times = receiver.ReceiptTimes.Order().ToArray();
        Assert.Equal(Count, times.Length);
        Assert.True(receiver.MaxAdmittedSessions <= Connections, $"{receiver.MaxAdmittedSessions} sessions at once");
        // Every 10-second window after the first, stepping by one second, up to the last full one.
        var start = times[0].AddSeconds(10);
        var windows = new List<(DateTimeOffset From, int Count)>();
        for (var from = start; from.AddSeconds(10) <= times[^1]; from = from.AddSeconds(1))
        {
            var to = from.AddSeconds(10);
            windows.Add((from, times.Count(t => t >= from && t < to)));
        }

        Assert.True(windows.Count >= 90, $"only {windows.Count} windows");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"site pace: {windows.Count} windows of 10 s, min {windows.Min(w => w.Count)}, max {windows.Max(w => w.Count)} messages " +
            $"(target {Rate * 10} ± 5%); most sessions at once {receiver.MaxAdmittedSessions} (limit {Connections})");
        var outside = windows.Where(w => w.Count < Rate * 10 * 0.95 || w.Count > Rate * 10 * 1.05).ToArray();
        Assert.True(outside.Length == 0,
            $"windows outside 475-525 messages: {string.Join(", ", outside.Select(w => $"{(w.From - times[0]).TotalSeconds:F0}s:{w.Count}"))}; " +
            $"min {windows.Min(w => w.Count)}, max {windows.Max(w => w.Count)}");
        // Both domains progressed side by side (they take turns within the site).
        var firstHalf = receiver.Received.Take(Count / 2).SelectMany(m => m.Recipients).ToArray();
        Assert.InRange(firstHalf.Count(r => r.EndsWith("@alpha.example", StringComparison.Ordinal)), Count / 4 - 300, Count / 4 + 300);
    }

    [Fact]
    public async Task ProviderSite_HourCapAndIdleTime_StopsAtTheCapRestQueuedIdleSessionClosedEarly()
    {
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var dns = await Dnsmasq.StartAsync(new DnsmasqConfig()
            .Mx("capped.example", "in1.capped-host.example", 10)
            .Host("in1.capped-host.example", "127.0.0.1"), TestContext.Current.CancellationToken);
        await using var cluster = await MailCluster.StartWithMxAsync(dns.Server, receiver.Port, env =>
        {
            env["Sites__Providers__hoster__MxSuffixes__0"] = "capped-host.example";
            env["Sites__Providers__hoster__MessagesPerHour"] = "30";
            env["Sites__Providers__hoster__IdleConnectionMs"] = "500";
        });

        var rows = Enumerable.Range(0, 50).Select(i => new Recipient { Address = $"user{i}@capped.example" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 50);
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);

        var progress = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
        Assert.Equal((30L, 20L), (progress.Delivered, progress.Queued));
        Assert.Equal(30, receiver.Received.Count);
        var site = await new SiteService.SiteServiceClient(cluster.Channel).GetSiteAsync(new GetSiteRequest { Domain = "capped.example" });
        Assert.Equal("provider:hoster", site.Key);
        Assert.Contains("volume cap", site.Reason, StringComparison.Ordinal);
        Assert.Equal(20L, site.Queued);
        // The site's idle time (500 ms) closed the pooled session long before the 10-s default.
        Assert.Equal(0, receiver.LiveSessions);
    }

    [Fact]
    public async Task ThreeSilos_SiloHoldingTheSitePacerKilled_AnotherTakesOverLimitHoldsEveryMessageArrives()
    {
        const int Count = 900;
        const int SiteRate = 20;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MessagesPerSecondPerDomain"] = SiteRate.ToString();
            env["Pacing__MaxConnectionsPerDomain"] = "3";
            env["Pacing__BurstSeconds"] = "0.2";
        }, extraSilos: 2);
        var sites = new SiteService.SiteServiceClient(cluster.Channel);

        var rows = Enumerable.Range(0, Count).Select(i => new Recipient { Address = $"user{i}@failover.example" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 900);
        await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var before = await sites.GetSiteAsync(new GetSiteRequest { Domain = "failover.example" });
        var port = int.Parse(before.Silo.TrimStart('S').Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var killedAt = DateTimeOffset.UtcNow;
        Assert.True(await cluster.KillSiloOnPortAsync(port), $"no silo on port {port} ({before.Silo})");

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(3));

        Assert.Equal((Count, (long)Count, 0L, 0L), (done.Total, done.Delivered, done.Bounced, done.Expired));
        var after = await sites.GetSiteAsync(new GetSiteRequest { Domain = "failover.example" });
        Assert.NotEqual(before.Silo, after.Silo);
        var received = receiver.Received.SelectMany(m => m.Recipients).ToList();
        var distinct = received.Distinct(StringComparer.OrdinalIgnoreCase).Count();
        Assert.Equal(Count, distinct);
        // At most what was in flight on the killed silo can arrive twice (sent, not yet recorded).
        var duplicates = received.Count - distinct;
        Assert.InRange(duplicates, 0, 3 * SiteRate);
        var times = receiver.ReceiptTimes.Order().ToArray();
        var gap = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        // Never faster than the site's limit in any 10-second window (plus a burst of 0.2 s, and 5 % for timing).
        var busiest = Enumerable.Range(0, (int)(times[^1] - times[0]).TotalSeconds)
            .Select(second => times[0].AddSeconds(second))
            .Max(from => times.Count(t => t >= from && t < from.AddSeconds(10)));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"failover: pacer moved {before.Silo} -> {after.Silo} (killed at {killedAt:O}); longest gap between deliveries " +
            $"{gap.TotalSeconds:F1} s; busiest 10 s: {busiest} (limit {SiteRate * 10}); duplicates {duplicates}");
        // Another silo took over within seconds: deliveries never paused for long.
        Assert.True(gap < TimeSpan.FromSeconds(30), $"deliveries paused {gap}");
        Assert.True(busiest <= SiteRate * 10 * 1.05 + SiteRate * 0.2, $"{busiest} messages in 10 s");
    }
}
