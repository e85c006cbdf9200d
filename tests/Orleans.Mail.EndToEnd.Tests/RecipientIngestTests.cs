using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// AddRecipients with several batches of one stream committing at once (the gateway's default window of 4):
/// what is reported, what is stored, and a Start that arrives while batches are still committing.
/// </summary>
public sealed class RecipientIngestTests(MailCluster cluster)
{
    [Fact]
    public async Task AddRecipients_TwelveBatchesCommittingAtOnce_EachSharedAddressStoredOnceAndRowsReportedInBatchOrder()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        // Batch k holds 450 addresses of its own, the first 50 of batch k-1's again (in another case), and one bad row.
        var batches = new List<List<Recipient>>();
        for (var k = 0; k < 12; k++)
        {
            var rows = CampaignFlow.Recipients(450, 5, prefix: $"ingest{k}-");
            if (k > 0)
            {
                rows.InsertRange(100, batches[k - 1].Where(r => !r.Address.StartsWith("bad", StringComparison.Ordinal)).Take(50).Select(r => new Recipient { Address = r.Address.ToUpperInvariant() }));
            }

            rows.Insert(7, new Recipient { Address = $"bad{k}@@ingest.example" });
            batches.Add(rows);
        }

        using var call = cluster.Campaigns.AddRecipients();
        for (var k = 0; k < batches.Count; k++)
        {
            var request = new AddRecipientsRequest { CampaignId = created.Id, BatchNumber = k + 1 };
            request.Recipients.AddRange(batches[k]);
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var result = await call;

        Assert.Equal(12 * 450, result.Accepted);
        Assert.Equal(12 + 11 * 50, result.Rejected);
        // Batches are reported in stream order whichever commits first (within a batch: refused rows, then duplicates).
        var batchOrder = result.RejectedRows.Select(r => r.BatchNumber).ToList();
        Assert.Equal(batchOrder.Order(), batchOrder);
        Assert.Equal(Enumerable.Range(1, 12).Select(b => ((long)b, 7)), result.RejectedRows.Where(r => r.Reason == "invalid-address").Select(r => (r.BatchNumber, r.Index)));
        // Which of two batches committing at once keeps a shared address is not fixed; that exactly one does is.
        var duplicates = result.RejectedRows.Where(r => r.Reason == "duplicate").Select(r => r.Address.ToLowerInvariant()).ToList();
        Assert.Equal(11 * 50, duplicates.Distinct().Count());
        Assert.Equal(11 * 50, duplicates.Count);
        var campaign = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
        Assert.Equal(12 * 450, campaign.Total);
    }

    [Fact]
    public async Task StartCampaign_WhileBatchesAreCommitting_EveryStoredRecipientIsQueuedAndNoneLeftDraft()
    {
        // A cluster of its own whose smarthost is a closed port: the started campaigns wait in the spool.
        await using var own = await MailCluster.StartWithSmarthostAsync($"127.0.0.1:{FreePort.Next()}");
        for (var round = 0; round < 3; round++)
        {
            var created = await own.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
            var rows = CampaignFlow.Recipients(20_500, 3, prefix: $"race{round}-");
            // The first batch is committed before the race, so the Start always finds recipients.
            await CampaignFlow.AddAsync(own.Campaigns, created.Id, rows[..500], batchSize: 500);
            using var call = own.Campaigns.AddRecipients();
            var batch = 1L;
            Task<Campaign>? start = null;
            StatusCode outcome;
            try
            {
                // Big batches: each takes a while to commit, so a Start is likely to meet one under way.
                foreach (var chunk in rows[500..].Chunk(5000))
                {
                    var request = new AddRecipientsRequest { CampaignId = created.Id, BatchNumber = ++batch };
                    request.Recipients.AddRange(chunk);
                    await call.RequestStream.WriteAsync(request);
                    if (batch == 2 + round)
                    {
                        start = own.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id }).ResponseAsync;
                    }
                }

                await call.RequestStream.CompleteAsync();
                await call;
                outcome = StatusCode.OK;
            }
            catch (RpcException ex)
            {
                outcome = ex.StatusCode;
            }
            catch (InvalidOperationException)
            {
                // Writing after the server ended the call: its status says why.
                outcome = call.GetStatus().StatusCode;
            }

            // Batches after the Start are refused (the list is frozen), or the stream ended before the Start came.
            Assert.Contains(outcome, new[] { StatusCode.OK, StatusCode.FailedPrecondition });
            var started = await start!;
            Assert.Equal(CampaignState.Running, started.State);
            var drafts = await own.Campaigns.ListMessagesAsync(
                new ListMessagesRequest { CampaignId = created.Id, State = MessageState.Draft, PageSize = 10 });
            Assert.Empty(drafts.Messages);
            var campaign = await own.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
            Assert.InRange(campaign.Total, 500, 20_500);
        }
    }
}
