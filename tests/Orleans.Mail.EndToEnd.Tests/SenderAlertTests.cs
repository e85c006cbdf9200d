using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>C14: a receiver refusing the sender's authentication is a sender problem: an alert on the campaign, no suppression.</summary>
public sealed class SenderAlertTests
{
    [Fact]
    public async Task C14_AuthFailureAtEndOfData_BouncedAuthFailureAlertedNotSuppressed()
    {
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint);

        var rows = Enumerable.Range(0, 3).Select(i => new Recipient { Address = $"authfail{i}@gmail-like.example" })
            .Concat(Enumerable.Range(0, 2).Select(i => new Recipient { Address = $"fine{i}@gmail-like.example" }))
            .ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 10);

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        Assert.Equal((5L, 2L, 3L), (done.Total, done.Delivered, done.Bounced));
        Assert.Equal(3L, done.ClassCounts["auth-failure"]);
        var alert = Assert.Single(done.Alerts);
        Assert.Equal(("auth-failure", "sender.test", 3L), (alert.Kind, alert.SendingDomain, alert.Count));
        Assert.Contains("5.7.26", alert.LastReply);
        Assert.Contains(receiver.Endpoint, alert.LastReply);
        var suppressions = new SuppressionService.SuppressionServiceClient(cluster.Channel);
        var check = new CheckSuppressionsRequest { Addresses = { rows.Select(r => r.Address) } };
        Assert.Empty((await suppressions.CheckSuppressionsAsync(check)).Suppressed);
    }
}
