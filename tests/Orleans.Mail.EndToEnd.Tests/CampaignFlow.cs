using Grpc.Core;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Steps the tests share: create, add, start and wait for a campaign through the gRPC API.</summary>
public static class CampaignFlow
{
    public static CreateCampaignRequest Definition(string subject = "Hello {{ first_name }} ({{ token }})") => new()
    {
        Name = "test campaign",
        From = "Tests <news@sender.test>",
        Subject = subject,
        TextBody = "Dear {{ first_name }}, your token is {{ token }}. Sent to {{ email }}.",
        HtmlBody = "<p>Dear {{ first_name }}, your token is <b>{{ token }}</b>.</p>",
    };

    /// <summary>n recipients spread round-robin over <paramref name="domains"/> domains, each with its own token.</summary>
    public static List<Recipient> Recipients(int count, int domains, string prefix = "user")
    {
        var list = new List<Recipient>(count);
        for (var i = 0; i < count; i++)
        {
            var recipient = new Recipient { Address = $"{prefix}{i}@d{i % domains}.example" };
            recipient.Variables["first_name"] = $"Name{i}";
            recipient.Variables["token"] = $"T{i:D6}";
            list.Add(recipient);
        }

        return list;
    }

    public static async Task<AddRecipientsResponse> AddAsync(
        CampaignService.CampaignServiceClient client, string campaignId, IReadOnlyList<Recipient> recipients, int batchSize, long firstBatch = 1)
    {
        using var call = client.AddRecipients();
        var batch = firstBatch;
        foreach (var chunk in recipients.Chunk(batchSize))
        {
            var request = new AddRecipientsRequest { CampaignId = campaignId, BatchNumber = batch++ };
            request.Recipients.AddRange(chunk);
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    /// <summary>Creates a campaign (<see cref="Definition"/> unless given), adds <paramref name="rows"/> and starts it.</summary>
    public static async Task<Campaign> StartAsync(
        CampaignService.CampaignServiceClient client, IReadOnlyList<Recipient> rows, int batchSize, CreateCampaignRequest? definition = null)
    {
        var created = await client.CreateCampaignAsync(definition ?? Definition());
        await AddAsync(client, created.Id, rows, batchSize);
        await client.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
        return created;
    }

    /// <summary>Polls until the campaign completes; fails with its last snapshot after <paramref name="timeout"/>.</summary>
    public static async Task<Campaign> WaitCompletedAsync(CampaignService.CampaignServiceClient client, string campaignId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Campaign? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await client.GetCampaignAsync(new GetCampaignRequest { CampaignId = campaignId });
                if (last.State == CampaignState.Completed)
                {
                    return last;
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded)
            {
                // The cluster is failing over; ask again.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Campaign {campaignId} did not complete in {timeout}; last snapshot: {last}");
    }
}
