using Grpc.Core;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

public sealed class SuppressionTests(MailCluster cluster)
{
    private SuppressionService.SuppressionServiceClient Suppressions => new(cluster.Channel);

    [Fact]
    public async Task Campaign_RecipientSuppressedByApi_EndsSuppressedWithoutAnAttempt()
    {
        var add = new AddSuppressionsRequest { Reason = "complaint" };
        add.Addresses.Add("Blocked@Supp.example");
        Assert.Equal(1, (await Suppressions.AddSuppressionsAsync(add)).Added);

        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        Recipient[] rows = [new() { Address = "blocked@supp.example" }, new() { Address = "fine1@supp.example" }, new() { Address = "fine2@supp.example" }];
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, rows, batchSize: 10);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        Assert.Equal((3L, 2L, 1L), (done.Total, done.Delivered, done.Suppressed));
        Assert.Equal(1, done.ClassCounts["suppressed"]);
        var received = cluster.Sink.ReadMessages().SelectMany(m => m.Recipients).Where(r => r.EndsWith("@supp.example", StringComparison.Ordinal)).ToList();
        Assert.Equal(["fine1@supp.example", "fine2@supp.example"], received.Order(StringComparer.Ordinal));
        var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = created.Id, State = MessageState.Suppressed });
        var suppressed = Assert.Single(page.Messages);
        Assert.Equal(0, suppressed.Attempts);
    }

    [Fact]
    public async Task CheckAndRemove_AddedAddress_ReportedThenGone()
    {
        var add = new AddSuppressionsRequest();
        add.Addresses.Add("check-me@supp-api.example");
        await Suppressions.AddSuppressionsAsync(add);

        var check = new CheckSuppressionsRequest();
        check.Addresses.Add("CHECK-ME@supp-api.example");
        check.Addresses.Add("other@supp-api.example");
        var found = Assert.Single((await Suppressions.CheckSuppressionsAsync(check)).Suppressed);
        Assert.Equal(("check-me@supp-api.example", "manual"), (found.Address, found.Class));

        // Another tenant's list is its own.
        var otherCheck = await new SuppressionService.SuppressionServiceClient(cluster.OtherTenantChannel).CheckSuppressionsAsync(check);
        Assert.Empty(otherCheck.Suppressed);

        var remove = new RemoveSuppressionsRequest();
        remove.Addresses.Add("check-me@supp-api.example");
        Assert.Equal(1, (await Suppressions.RemoveSuppressionsAsync(remove)).Removed);
        Assert.Empty((await Suppressions.CheckSuppressionsAsync(check)).Suppressed);
    }

    [Fact]
    public async Task ListSuppressions_Paged_WalksEveryEntryOnce()
    {
        var add = new AddSuppressionsRequest();
        add.Addresses.AddRange(Enumerable.Range(0, 7).Select(i => $"paged{i}@supp-list.example"));
        await new SuppressionService.SuppressionServiceClient(cluster.OtherTenantChannel).AddSuppressionsAsync(add);

        var seen = new List<string>();
        var token = string.Empty;
        do
        {
            var page = await new SuppressionService.SuppressionServiceClient(cluster.OtherTenantChannel)
                .ListSuppressionsAsync(new ListSuppressionsRequest { PageSize = 3, PageToken = token });
            seen.AddRange(page.Suppressions.Select(s => s.Address));
            token = page.NextPageToken;
        }
        while (token.Length > 0 && seen.Count < 100);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"paged{i}@supp-list.example"), seen.Where(a => a.EndsWith("@supp-list.example", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AddSuppressions_InvalidAddress_InvalidArgumentNamingIt()
    {
        var add = new AddSuppressionsRequest();
        add.Addresses.Add("ok@supp.example");
        add.Addresses.Add("not an address");
        var ex = await Assert.ThrowsAsync<RpcException>(() => Suppressions.AddSuppressionsAsync(add).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("addresses[1]", ex.Status.Detail, StringComparison.Ordinal);
    }
}
