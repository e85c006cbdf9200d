using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

public sealed class CampaignDeliveryTests(MailCluster cluster)
{
    [Fact]
    public async Task Campaign_1000RecipientsOver20Domains_EachReceivesExactlyOnePersonalisedMessage()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        var recipients = CampaignFlow.Recipients(1000, 20, prefix: "bulk");
        var added = await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, recipients, batchSize: 250);
        Assert.Equal(1000, added.Accepted);
        Assert.Equal(0, added.Rejected);

        var started = await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
        Assert.Equal(CampaignState.Running, started.State);
        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(3));
        Assert.Equal(1000, done.Total);
        Assert.Equal(1000, done.Delivered);

        // What the receiver wrote, not our counters, decides.
        var received = cluster.Sink.ReadMessages().Where(m => m.Recipients.Any(r => r.StartsWith("bulk", StringComparison.Ordinal))).ToList();
        var byRecipient = received.SelectMany(m => m.Recipients.Select(r => (Recipient: r, m.Message))).GroupBy(x => x.Recipient).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(1000, byRecipient.Count);
        Assert.All(byRecipient.Values, list => Assert.Single(list));
        foreach (var recipient in recipients)
        {
            var message = byRecipient[recipient.Address].Single().Message;
            var token = recipient.Variables["token"];
            Assert.Equal($"Hello {recipient.Variables["first_name"]} ({token})", message.Subject);
            Assert.Contains($"your token is {token}. Sent to {recipient.Address}.", message.TextBody, StringComparison.Ordinal);
            Assert.Contains($"<b>{token}</b>", message.HtmlBody, StringComparison.Ordinal);
            Assert.Equal(recipient.Address, message.To.Mailboxes.Single().Address);
            Assert.EndsWith("@e2e.orleans-mail.test", message.MessageId, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AddRecipients_SameBatchesSentTwice_EachRecipientStoredOnce()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        var recipients = CampaignFlow.Recipients(300, 5, prefix: "replay");
        var first = await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, recipients.Take(200).ToList(), batchSize: 100);
        Assert.Equal(200, first.Accepted);
        Assert.Equal(0, first.ReplayedBatches);

        // The client's stream "broke"; it sends the whole list again, batches 1-3.
        var again = await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, recipients, batchSize: 100);
        Assert.Equal(2, again.ReplayedBatches);
        Assert.Equal(300, again.Accepted);
        Assert.Equal(0, again.Rejected);

        var campaign = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
        Assert.Equal(300, campaign.Total);
    }

    [Fact]
    public async Task AddRecipients_DuplicateInLaterBatchWithOtherCase_RejectedAsDuplicateKeepingFirstSpelling()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [new Recipient { Address = "Mixed.Case@dup.example" }], batchSize: 10);
        var second = await CampaignFlow.AddAsync(
            cluster.Campaigns, created.Id, [new Recipient { Address = "ok@dup.example" }, new Recipient { Address = "MIXED.case@DUP.example" }], batchSize: 10, firstBatch: 2);
        Assert.Equal(1, second.Accepted);
        var rejected = Assert.Single(second.RejectedRows);
        Assert.Equal((2L, 1, "duplicate"), (rejected.BatchNumber, rejected.Index, rejected.Reason));

        var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = created.Id });
        Assert.Equal(["Mixed.Case@dup.example", "ok@dup.example"], page.Messages.Select(m => m.Recipient).Order(StringComparer.Ordinal));
        Assert.All(page.Messages, m => Assert.Equal(MessageState.Draft, m.State));
    }

    [Fact]
    public async Task ListMessages_PagedByState_WalksEveryMessageOnce()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, CampaignFlow.Recipients(25, 3, prefix: "page"), batchSize: 25);
        var seen = new List<string>();
        var token = string.Empty;
        do
        {
            var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest
            {
                CampaignId = created.Id, State = MessageState.Draft, PageSize = 10, PageToken = token,
            });
            seen.AddRange(page.Messages.Select(m => m.Recipient));
            token = page.NextPageToken;
        }
        while (token.Length > 0 && seen.Count < 100);

        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());
    }
}
