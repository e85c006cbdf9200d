using Grpc.Core;
using Orleans.Mail.Api.V1;
using Spectre.Console;

namespace Orleans.Mail.Cli;

/// <summary><c>orleans-mail campaign</c>: create, fill from CSV, start, watch, report.</summary>
public static class CampaignCommand
{
    /// <summary>Runs the command; 0 when the campaign completed (or was started with --no-watch).</summary>
    public static async Task<int> RunAsync(CliArguments options)
    {
        var path = options.Required("recipients");
        var batchSize = options.Int("batch-size", 1000);
        using var channel = GatewayConnection.Open(options);
        var client = new CampaignService.CampaignServiceClient(channel);

        var campaign = await client.CreateCampaignAsync(new CreateCampaignRequest
        {
            Name = options.Get("name", Path.GetFileNameWithoutExtension(path))!,
            From = options.Required("from"),
            EnvelopeSender = options.Get("envelope-sender", string.Empty)!,
            Subject = options.Required("subject"),
            TextBody = options.Get("text", string.Empty)!,
            HtmlBody = options.Get("html", string.Empty)!,
            Weight = options.Get("weight") is { } weight
                ? int.TryParse(weight, System.Globalization.CultureInfo.InvariantCulture, out var w) && w is >= 1 and <= 100
                    ? w
                    : throw new ArgumentException($"--weight must be a whole number from 1 to 100, not '{weight}'.")
                : 0,
        });
        Console.WriteLine($"campaign {campaign.Id} created");

        var added = await AddRecipientsAsync(client, campaign.Id, path, batchSize);
        Console.WriteLine($"recipients: accepted={added.Accepted} rejected={added.Rejected}");
        foreach (var row in added.RejectedRows.Take(20))
        {
            Console.WriteLine($"  rejected batch {row.BatchNumber} row {row.Index}: {row.Address} ({row.Reason})");
        }

        await client.StartCampaignAsync(new StartCampaignRequest { CampaignId = campaign.Id });
        Console.WriteLine("started");
        if (options.Flag("no-watch"))
        {
            return 0;
        }

        Campaign last = campaign;
        while (last.State != CampaignState.Completed)
        {
            try
            {
                using var watch = client.WatchCampaign(new GetCampaignRequest { CampaignId = campaign.Id });
                await foreach (var snapshot in watch.ResponseStream.ReadAllAsync())
                {
                    last = snapshot;
                    Console.WriteLine(
                        $"progress: {snapshot.Delivered + snapshot.Bounced + snapshot.Expired + snapshot.Suppressed}/{snapshot.Total} done, " +
                        $"delivered={snapshot.Delivered} queued={snapshot.Queued} in_flight={snapshot.InFlight} deferred={snapshot.Deferred} " +
                        $"bounced={snapshot.Bounced} rate={snapshot.MessagesPerSecond:F0}/s");
                }

                break;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable)
            {
                // The cluster is failing over; the campaign goes on. Watch again shortly.
                Console.WriteLine("progress: cluster unavailable, watching again in 2 s");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        PrintSummary(last);
        return last.State == CampaignState.Completed ? 0 : 1;
    }

    private static async Task<AddRecipientsResponse> AddRecipientsAsync(
        CampaignService.CampaignServiceClient client, string campaignId, string path, int batchSize)
    {
        using var call = client.AddRecipients();
        var batch = new AddRecipientsRequest { CampaignId = campaignId, BatchNumber = 1 };
        foreach (var recipient in RecipientCsv.Read(path))
        {
            batch.Recipients.Add(recipient);
            if (batch.Recipients.Count == batchSize)
            {
                await call.RequestStream.WriteAsync(batch);
                batch = new AddRecipientsRequest { CampaignId = campaignId, BatchNumber = batch.BatchNumber + 1 };
            }
        }

        if (batch.Recipients.Count > 0)
        {
            await call.RequestStream.WriteAsync(batch);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private static void PrintSummary(Campaign campaign)
    {
        if (Console.IsOutputRedirected)
        {
            // A log file has no terminal width; keep the table whole.
            AnsiConsole.Profile.Width = 140;
        }

        var table = new Table().AddColumns("state", "total", "delivered", "deferred", "bounced", "expired", "suppressed", "queued", "in flight");
        table.AddRow(
            campaign.State.ToString(), campaign.Total.ToString(), campaign.Delivered.ToString(), campaign.Deferred.ToString(),
            campaign.Bounced.ToString(), campaign.Expired.ToString(), campaign.Suppressed.ToString(), campaign.Queued.ToString(), campaign.InFlight.ToString());
        AnsiConsole.Write(table);
        Console.WriteLine(
            $"final: id={campaign.Id} state={campaign.State} total={campaign.Total} delivered={campaign.Delivered} deferred={campaign.Deferred} " +
            $"bounced={campaign.Bounced} expired={campaign.Expired} suppressed={campaign.Suppressed}");
    }
}
