using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Utils;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>The silo's inbound bounce listener: DSNs delivered to it by SMTP mark recipients bounced and suppress them.</summary>
public sealed class BounceListenerTests
{
    private const string Gone = "gone@dsn.example";
    private const string Ok = "ok@dsn.example";

    [Fact]
    public async Task DsnDeliveredBySmtp_FailedRecipientBouncedAndSuppressed_UnknownMessageIdChangesNothing()
    {
        var bouncePort = FreePort.Next();
        await using var cluster = new MailCluster { ConfigureSilo = env => env["Bounces__ListenPort"] = bouncePort.ToString() };
        await cluster.InitializeAsync();
        Assert.True(await FreePort.WaitOpenAsync(bouncePort, TimeSpan.FromSeconds(30)), $"bounce listener not open\n{cluster.Diagnostics}");

        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [new Recipient { Address = Gone }, new Recipient { Address = Ok }], batchSize: 10);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));
        Assert.Equal((2L, 2L), (done.Total, done.Delivered));

        var delivered = cluster.Sink.ReadMessages().Single(m => m.Recipients.Contains(Gone, StringComparer.OrdinalIgnoreCase)).Message;
        Assert.False(string.IsNullOrEmpty(delivered.MessageId));
        await SendAsync(bouncePort, Dsn(delivered.Headers));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        Campaign snapshot;
        do
        {
            snapshot = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
            if (snapshot.Bounced == 1)
            {
                break;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(snapshot.Bounced == 1, $"not bounced: {snapshot}\n{cluster.Diagnostics}");
        Assert.Equal((1L, 1L), (snapshot.Delivered, snapshot.Bounced));
        Assert.Equal(1, snapshot.ClassCounts["invalid-recipient"]);

        var suppressions = new SuppressionService.SuppressionServiceClient(cluster.Channel);
        var check = new CheckSuppressionsRequest();
        check.Addresses.Add(Gone);
        check.Addresses.Add(Ok);
        var found = Assert.Single((await suppressions.CheckSuppressionsAsync(check)).Suppressed);
        Assert.Equal(Gone, found.Address);

        // A DSN about a message we never sent is accepted (250) and changes nothing.
        var unknown = new HeaderList
        {
            { HeaderId.From, "Tests <news@sender.test>" },
            { HeaderId.To, Ok },
            { HeaderId.Subject, "Hello" },
            { HeaderId.MessageId, $"<{Guid.NewGuid():N}@e2e.orleans-mail.test>" },
        };
        await SendAsync(bouncePort, Dsn(unknown, Ok));
        await Task.Delay(1000);
        var after = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
        Assert.Equal((1L, 1L), (after.Delivered, after.Bounced));
        Assert.Equal(1, after.ClassCounts["invalid-recipient"]);
        Assert.Single((await suppressions.CheckSuppressionsAsync(check)).Suppressed);
    }

    /// <summary>Sends <paramref name="dsn"/> to the listener; MailKit throws unless the server answers 250.</summary>
    private static async Task SendAsync(int port, MimeMessage dsn)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.SendAsync(dsn, new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@dsn-mx.example"), [new MailboxAddress(null, "bounces@e2e.orleans-mail.test")]);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>A Postfix-style DSN (RFC 3464): <paramref name="recipient"/> failed with 5.1.1, the original headers returned.</summary>
    private static MimeMessage Dsn(HeaderList originalHeaders, string recipient = Gone)
    {
        var notification = new TextPart("plain")
        {
            Text = $"This is the mail system at host dsn-mx.example.\n\n<{recipient}>: host mailstore.dsn.example said: 550 5.1.1 user unknown\n",
        };

        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList
        {
            { "Reporting-MTA", "dns; dsn-mx.example" },
            { "Arrival-Date", DateUtils.FormatDate(DateTimeOffset.UtcNow) },
        });
        status.StatusGroups.Add(new HeaderList
        {
            { "Final-Recipient", $"rfc822; {recipient}" },
            { "Original-Recipient", $"rfc822; {recipient}" },
            { "Action", "failed" },
            { "Status", "5.1.1" },
            { "Remote-MTA", "dns; mailstore.dsn.example" },
            { "Diagnostic-Code", "smtp; 550 5.1.1 user unknown" },
        });

        var headers = new MemoryStream();
        originalHeaders.WriteTo(headers);
        headers.Position = 0;
        var returned = new MimePart("text", "rfc822-headers") { Content = new MimeContent(headers) };

        var report = new MultipartReport("delivery-status") { notification, status, returned };
        var dsn = new MimeMessage
        {
            Subject = "Undelivered Mail Returned to Sender",
            Body = report,
        };
        dsn.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@dsn-mx.example"));
        dsn.To.Add(new MailboxAddress(null, "bounces@e2e.orleans-mail.test"));
        dsn.Headers.Add("Auto-Submitted", "auto-replied");
        return dsn;
    }
}
