using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>C11/C12: the destination's own signals pace us; our waiting is never an attempt.</summary>
public sealed class PacingSignalTests
{
    private const int RestSeconds = 4;

    [Fact]
    public async Task C11_ReputationDeferral_SiteRestedNoConnectionsDuringWindowThenDeliveredWithOneMoreAttempt()
    {
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__ReputationRestSeconds"] = RestSeconds.ToString();
            env["Retry__ThrottleRetrySeconds"] = "1";
        });

        var rows = new List<Recipient> { new() { Address = "reputation0@rest.example" } };
        rows.AddRange(Enumerable.Range(0, 5).Select(i => new Recipient { Address = $"fine{i}@rest.example" }));
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 10);

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        Assert.Equal((6L, 6L, 0L, 0L), (done.Total, done.Delivered, done.Bounced, done.Expired));
        var tries = receiver.RcptTimes("reputation0@rest.example");
        Assert.Equal(2, tries.Count);
        // The retry (due after 1 s by the retry schedule) waited out the rest window instead.
        Assert.True(tries[1] - tries[0] >= TimeSpan.FromSeconds(RestSeconds - 0.5), $"retried after {tries[1] - tries[0]}");
        // No session was opened while the site rested.
        var during = receiver.SessionStarts.Count(s => s > tries[0].AddMilliseconds(500) && s < tries[0].AddSeconds(RestSeconds - 0.5));
        Assert.Equal(0, during);
        var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = created.Id });
        Assert.Equal(2, page.Messages.Single(m => m.Recipient == "reputation0@rest.example").Attempts);
    }

    [Fact]
    public async Task C12_TooManyConnections_LimitLearnedIdleSessionsCountedAllDeliveredOnceNoBounce()
    {
        const int Count = 1000;
        const int HostLimit = 3;
        // A slow receiver (20 ms per message) so that sessions pile up to our default of 10 connections.
        await using var receiver = await ScriptedSmtpServer.StartAsync(maxSessions: HostLimit, saveDelay: TimeSpan.FromMilliseconds(20));
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MaxConnectionsPerDomain"] = "10";
            env["Pacing__MessagesPerSecondPerDomain"] = "400";
            env["Pacing__MessagesPerConnection"] = "100";
            // No probing above the learned limit during the test.
            env["Pacing__ConnectionRecoveryBatches"] = "100000";
            // Idle sessions stay pooled long enough to matter.
            env["Smtp__IdleConnectionMs"] = "30000";
            env["Retry__ThrottleRetrySeconds"] = "1";
        });

        var rows = Enumerable.Range(0, Count).Select(i => new Recipient { Address = $"user{i}@busy.example" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 500);

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(2));

        Assert.True((Count, (long)Count, 0L, 0L) == (done.Total, done.Delivered, done.Bounced, done.Expired), done.ToString());
        var received = receiver.Received.SelectMany(m => m.Recipients).ToList();
        Assert.True(received.Count == Count, $"{received.Count} received, {received.Distinct(StringComparer.OrdinalIgnoreCase).Count()} distinct; {done}");
        Assert.Equal(Count, received.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var refusals = receiver.Refusals;
        Assert.NotEmpty(refusals);
        // The first wave can run into the limit (up to 10 − 3 sessions); after that the learned limit holds.
        Assert.True(refusals.Count <= 10, $"{refusals.Count} sessions refused");
        Assert.True(receiver.MaxAdmittedSessions <= HostLimit);
        var settled = refusals.Min().AddSeconds(1);
        Assert.True(receiver.MaxLiveSince(settled) <= HostLimit, $"{receiver.MaxLiveSince(settled)} sessions open at once after the first 421");
        Assert.True(done.ClassCounts.Where(c => c.Key != "ok").Sum(c => c.Value) == 0, done.ToString());
    }

    [Fact]
    public async Task Site421For30s_SlowsWithinSecondsNoBounceAllDeliveredAfterWindowOnlyRealAttemptsCounted()
    {
        const int Count = 300;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MessagesPerConnection"] = "20";
            env["Retry__ThrottleRetrySeconds"] = "2";
        });
        var sites = new SiteService.SiteServiceClient(cluster.Channel);

        var rows = Enumerable.Range(0, Count).Select(i => new Recipient { Address = $"user{i}@later.example" }).ToList();
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, rows, batchSize: 300);
        var windowEnds = receiver.DeferAllFor(TimeSpan.FromSeconds(30));
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });

        // Within seconds the site runs well below its ceiling, and says why.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var slowed = await sites.GetSiteAsync(new GetSiteRequest { Domain = "later.example" });
        Assert.True(slowed.MessagesPerSecond <= slowed.CeilingMessagesPerSecond / 4, $"{slowed.MessagesPerSecond} of {slowed.CeilingMessagesPerSecond} messages/s");
        Assert.Contains("slowed", slowed.Reason, StringComparison.Ordinal);
        Assert.Contains(slowed.LastReplies, r => r.Reply.Contains("4.7.0", StringComparison.Ordinal));

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(2));

        Assert.Equal(((long)Count, (long)Count, 0L, 0L), (done.Total, done.Delivered, done.Bounced, done.Expired));
        var received = receiver.Received.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(Count, received.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(Count, received.Count);
        Assert.All(receiver.ReceiptTimes, t => Assert.True(t >= windowEnds));
        // Attempts are exactly what the receiver saw: one accepted transaction per message plus each refused
        // MAIL FROM. Messages that waited (for tokens, or because their session was closed before their turn)
        // were not charged an attempt.
        var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = created.Id, PageSize = 1000 });
        Assert.Equal(Count, page.Messages.Count);
        Assert.True(receiver.DeferredMailCommands > 0);
        Assert.Equal(Count + receiver.DeferredMailCommands, page.Messages.Sum(m => m.Attempts));
    }

    [Fact]
    public async Task PolicyBlock_SiteSuspendedNoConnectionsThenOneProbeMessageThenResumed()
    {
        const int Count = 20;
        const int SuspendSeconds = 4;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env =>
        {
            env["Pacing__MaxConnectionsPerDomain"] = "1";
            env["Pacing__MessagesPerConnection"] = "5";
            env["Pacing__BlockSuspendSeconds"] = SuspendSeconds.ToString();
        });

        var rows = Enumerable.Range(0, Count).Select(i => new Recipient { Address = $"user{i}@blocking.example" }).ToList();
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, rows, batchSize: 20);
        receiver.BlockNextRcpts(5);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        // One batch met the block; the site stopped there instead of burning the whole list.
        Assert.Equal((20L, 15L, 5L), (done.Total, done.Delivered, done.Bounced));
        Assert.Equal(5L, done.ClassCounts["policy-block"]);
        var rcpts = rows.SelectMany(r => receiver.RcptTimes(r.Address)).Order().ToArray();
        var blocked = rcpts[0];
        Assert.DoesNotContain(rcpts, t => t > blocked.AddSeconds(0.5) && t < blocked.AddSeconds(SuspendSeconds - 0.5));
        Assert.DoesNotContain(receiver.SessionStarts, t => t > blocked.AddSeconds(0.5) && t < blocked.AddSeconds(SuspendSeconds - 0.5));
        // After the suspension one message goes alone (the probe): the next is offered only once it was accepted.
        var afterSuspension = rcpts.Where(t => t >= blocked.AddSeconds(SuspendSeconds - 0.5)).ToArray();
        Assert.Equal(15, afterSuspension.Length);
        var probeAccepted = receiver.ReceiptTimes.Min();
        Assert.True(afterSuspension[1] >= probeAccepted, "a second message was offered before the probe was accepted");
        // The probe's session carried it alone: the next message came over a new session.
        Assert.Contains(receiver.SessionStarts, t => t >= probeAccepted && t <= afterSuspension[1]);
        var suppressions = new SuppressionService.SuppressionServiceClient(cluster.Channel);
        var check = new CheckSuppressionsRequest { Addresses = { rows.Select(r => r.Address) } };
        Assert.Empty((await suppressions.CheckSuppressionsAsync(check)).Suppressed);
    }
}
