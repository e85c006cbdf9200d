using System.Diagnostics;
using Grpc.Core;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Issue 4, operator API: a site's status, policy, suspension and resumption over gRPC.</summary>
public sealed class SiteOperatorTests(MailCluster cluster)
{
    private SiteService.SiteServiceClient Sites => new(cluster.Channel);

    [Fact]
    public async Task SiteService_NotAnOperatorTenant_PermissionDenied()
    {
        var other = new SiteService.SiteServiceClient(cluster.OtherTenantChannel);

        var error = await Assert.ThrowsAsync<RpcException>(() => other.GetSiteAsync(new GetSiteRequest { Domain = "example.org" }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Theory]
    [InlineData("", "", "site")]
    [InlineData("provider:google", "example.org", "site")]
    [InlineData("", "bad domain!", "domain")]
    [InlineData("never-seen-site", "", "site")]
    [InlineData("provider:Google!", "", "site")]
    [InlineData("mx:mx1.example.net,", "", "site")]
    public async Task GetSite_BadTarget_InvalidArgumentNamingTheField(string site, string domain, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Sites.GetSiteAsync(new GetSiteRequest { Site = site, Domain = domain }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSitePolicy_OutOfRange_InvalidArgumentNamingEachField()
    {
        var request = new SetSitePolicyRequest
        {
            Domain = "example.org",
            Policy = new SitePolicy { MaxConnections = 0, MessagesPerSecond = 1_000_000 },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => Sites.SetSitePolicyAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("policy.max_connections", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("policy.messages_per_second", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSitePolicy_NoFieldSet_InvalidArgumentNothingStored()
    {
        var request = new SetSitePolicyRequest { Domain = "empty-policy.example", Policy = new SitePolicy() };

        var error = await Assert.ThrowsAsync<RpcException>(() => Sites.SetSitePolicyAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("policy", error.Status.Detail, StringComparison.Ordinal);
        Assert.Null((await Sites.GetSiteAsync(new GetSiteRequest { Domain = "empty-policy.example" })).Policy);
    }

    [Fact]
    public async Task SuspendedSite_NothingSentNoAttempts_ThenPolicyAndResume_DeliveredAtThePolicyRate()
    {
        var domain = $"held-{Guid.NewGuid():N}.example";
        var suspended = await Sites.SuspendSiteAsync(new SuspendSiteRequest { Domain = domain, Reason = "maintenance window" });
        Assert.Equal(("suspended", "maintenance window", domain), (suspended.State, suspended.Reason, suspended.Key));

        var rows = Enumerable.Range(0, 20).Select(i => new Recipient { Address = $"user{i}@{domain}" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 20);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        var held = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
        Assert.Equal((20L, 0L), (held.Queued, held.Delivered));
        var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = created.Id });
        Assert.All(page.Messages, m => Assert.Equal(0, m.Attempts));
        var status = await Sites.GetSiteAsync(new GetSiteRequest { Site = domain });
        Assert.Equal(("suspended", 20L), (status.State, status.Queued));
        Assert.Contains(domain, status.Domains);

        var slowed = await Sites.SetSitePolicyAsync(new SetSitePolicyRequest { Site = domain, Policy = new SitePolicy { MessagesPerSecond = 5 } });
        Assert.Equal((5.0, 5.0), (slowed.CeilingMessagesPerSecond, slowed.Policy.MessagesPerSecond));
        var clock = Stopwatch.StartNew();
        var resumed = await Sites.ResumeSiteAsync(new GetSiteRequest { Site = domain });
        Assert.NotEqual("suspended", resumed.State);

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        Assert.Equal(20L, done.Delivered);
        // A bucket of one second (5 messages) and then 5 messages/s: at least 3 s for 20.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"20 messages in {clock.Elapsed} at 5/s");
        var cleared = await Sites.ClearSitePolicyAsync(new GetSiteRequest { Site = domain });
        Assert.Null(cleared.Policy);
        Assert.Equal(100.0, cleared.CeilingMessagesPerSecond);
    }

    [Fact]
    public async Task Cli_SiteCommands_ExitCodesForSuccessBadArgumentsAndNonOperator()
    {
        var gateway = $"http://127.0.0.1:{cluster.GrpcPort}";
        string[] common = ["--gateway", gateway, "--api-key", MailCluster.ApiKey];

        Assert.Equal(0, await Cli.CliApp.RunAsync(["site", "get", "--domain", "cli.example", .. common]));
        Assert.Equal(0, await Cli.CliApp.RunAsync(["site", "policy", "--domain", "cli.example", "--rate", "7.5", .. common]));
        var status = await Sites.GetSiteAsync(new GetSiteRequest { Domain = "cli.example" });
        Assert.Equal(7.5, status.CeilingMessagesPerSecond);
        Assert.Equal(0, await Cli.CliApp.RunAsync(["site", "clear-policy", "--domain", "cli.example", .. common]));
        Assert.Equal(2, await Cli.CliApp.RunAsync(["site", "policy", "--domain", "cli.example", "--rate", "fast", .. common]));
        Assert.Equal(2, await Cli.CliApp.RunAsync(["site", "get", .. common]));
        Assert.Equal(2, await Cli.CliApp.RunAsync(["site"]));
        Assert.Equal(2, await Cli.CliApp.RunAsync(["site", "policy", "--domain", "cli.example", .. common]));
        Assert.Equal(1, await Cli.CliApp.RunAsync(["site", "policy", "--domain", "cli.example", "--connections", "0", .. common]));
        Assert.Equal(1, await Cli.CliApp.RunAsync(["site", "get", "--domain", "cli.example", "--gateway", gateway, "--api-key", MailCluster.OtherTenantKey]));
    }
}
