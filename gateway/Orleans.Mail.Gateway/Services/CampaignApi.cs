using Grpc.Core;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Campaigns;
using Orleans.Mail.Gateway.Auth;
using Orleans.Mail.Gateway.Backpressure;
using Orleans.Mail.Gateway.Validation;
using Campaign = Orleans.Mail.Api.V1.Campaign;

namespace Orleans.Mail.Gateway.Services;

/// <summary>The <c>CampaignService</c> adapter: validates, then forwards to the campaign grain.</summary>
public sealed class CampaignApi(IGrainFactory grains, IOptionsMonitor<GatewayOptions> options, TimeProvider time, SpoolBacklog backlog)
    : CampaignService.CampaignServiceBase
{
    /// <summary>Most recipients one AddRecipients message may carry.</summary>
    public const int MaxBatchRows = 5000;
    private const int MaxRejectedRowsReturned = 1000;
    private const int MaxPageSize = 1000;

    /// <inheritdoc />
    public override async Task<Campaign> CreateCampaign(CreateCampaignRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors.Add("name", "must be 1 to 200 characters");
        }
        else
        {
            MailRules.HeaderValue(errors, "name", request.Name);
        }

        MailRules.Mailbox(errors, "from", request.From, required: true);
        MailRules.Address(errors, "envelope_sender", request.EnvelopeSender);
        if (string.IsNullOrWhiteSpace(request.Subject))
        {
            errors.Add("subject", "is required");
        }

        MailRules.HeaderValue(errors, "subject", request.Subject);
        if (string.IsNullOrWhiteSpace(request.TextBody) && string.IsNullOrWhiteSpace(request.HtmlBody))
        {
            errors.Add("text_body", "a text or HTML body is required");
        }

        if (request.Weight is < 0 or > CampaignDefinition.MaxWeight)
        {
            errors.Add("weight", $"must be 1 to {CampaignDefinition.MaxWeight} (0 means 1)");
        }

        MailRules.Headers(errors, request.Headers);
        MailRules.Text(errors, "text_body", request.TextBody, int.MaxValue);
        MailRules.Text(errors, "html_body", request.HtmlBody, int.MaxValue);
        MailRules.Size(errors, options.CurrentValue.MaxMessageBytes,
            ("subject", request.Subject), ("text_body", request.TextBody), ("html_body", request.HtmlBody));
        errors.ThrowIfAny();

        var from = MailboxAddress.Parse(request.From);
        var envelopeSender = string.IsNullOrWhiteSpace(request.EnvelopeSender) ? from.Address : MailboxAddress.Parse(request.EnvelopeSender).Address;
        var definition = new CampaignDefinition(
            request.Name, request.From, envelopeSender, request.Subject, request.TextBody, request.HtmlBody, ProtoMapping.FromApi(request.Headers),
            request.Weight == 0 ? 1 : request.Weight);
        var id = MailIds.Campaign(MailIds.NewUuid(time));
        var snapshot = await grains.GetGrain<ICampaignGrain>(id).Create(context.Tenant(), definition);
        return snapshot.ToApi();
    }

    /// <inheritdoc />
    public override async Task<AddRecipientsResponse> AddRecipients(IAsyncStreamReader<AddRecipientsRequest> requestStream, ServerCallContext context)
    {
        var tenant = context.Tenant();
        var response = new AddRecipientsResponse();
        var window = options.CurrentValue.AddRecipientsBatchesInFlight;
        var committing = new Queue<CommittingBatch>(window);
        string? campaignId = null;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                campaignId ??= request.CampaignId;
                var batch = Validate(request, campaignId);
                if (batch.Accepted.Count > 0)
                {
                    // Batches sent before this one stay committed (the client re-sends from here, by batch number).
                    backlog.ThrowIfFull();
                    batch.Commit = grains.GetGrain<ICampaignGrain>(request.CampaignId).AddRecipients(tenant, request.BatchNumber, batch.Accepted);
                }

                committing.Enqueue(batch);
                while (committing.Count >= window)
                {
                    await ReportOldestAsync(response, committing);
                }
            }

            while (committing.Count > 0)
            {
                await ReportOldestAsync(response, committing);
            }
        }
        catch when (committing.Count > 0)
        {
            // Let the batches already handed to the grain finish before answering with the error, so that what the
            // client re-sends (by batch number) meets committed ledger rows, not transactions still under way.
            await Task.WhenAll(committing.Select(b => (Task)b.Commit)).ContinueWith(static _ => { }, TaskScheduler.Default);
            throw;
        }

        return response;
    }

    /// <summary>
    /// One request of the stream: the rows that passed validation and their indexes in the request, the rows
    /// refused here, and the grain's commit of the accepted rows (already complete when none passed).
    /// </summary>
    private sealed class CommittingBatch(AddRecipientsRequest request)
    {
        public AddRecipientsRequest Request { get; } = request;

        public List<RecipientRow> Accepted { get; } = new(request.Recipients.Count);

        public List<int> AcceptedIndexes { get; } = new(request.Recipients.Count);

        public List<(int Index, string Reason)> Refused { get; } = [];

        public Task<RecipientBatchResult> Commit { get; set; } = Task.FromResult(new RecipientBatchResult(0, [], Replayed: false));
    }

    private static CommittingBatch Validate(AddRecipientsRequest request, string campaignId)
    {
        if (!MailIds.TryParse(request.CampaignId, MailIds.CampaignPrefix, out _))
        {
            throw BadRequests.Single("campaign_id", "is not a campaign id (cmp_ and 32 hex digits)");
        }

        if (!string.Equals(campaignId, request.CampaignId, StringComparison.Ordinal))
        {
            throw BadRequests.Single("campaign_id", "every message of one stream must name the same campaign");
        }

        if (request.Recipients.Count is 0 or > MaxBatchRows)
        {
            throw BadRequests.Single("recipients", $"a batch holds 1 to {MaxBatchRows} recipients");
        }

        var batch = new CommittingBatch(request);
        for (var i = 0; i < request.Recipients.Count; i++)
        {
            var recipient = request.Recipients[i];
            if (RowProblem(recipient) is { } reason)
            {
                batch.Refused.Add((i, reason));
                continue;
            }

            batch.Accepted.Add(new RecipientRow(recipient.Address.Trim(), new Dictionary<string, string>(recipient.Variables)));
            batch.AcceptedIndexes.Add(i);
        }

        return batch;
    }

    /// <summary>Waits for the oldest batch's commit and adds its outcome to the response: batches are reported in stream order.</summary>
    private static async Task ReportOldestAsync(AddRecipientsResponse response, Queue<CommittingBatch> committing)
    {
        var batch = committing.Peek();
        var result = await batch.Commit;
        committing.Dequeue();
        var request = batch.Request;
        foreach (var (index, reason) in batch.Refused)
        {
            Reject(response, request.BatchNumber, index, request.Recipients[index].Address, reason);
        }

        response.Accepted += result.Accepted;
        if (result.Replayed)
        {
            response.ReplayedBatches++;
        }

        foreach (var index in result.DuplicateIndexes)
        {
            var original = batch.AcceptedIndexes[index];
            Reject(response, request.BatchNumber, original, request.Recipients[original].Address, "duplicate");
        }
    }

    private static string? RowProblem(Recipient recipient)
    {
        if (MailRules.AddressProblem(recipient.Address) is not null)
        {
            return "invalid-address";
        }

        foreach (var (name, value) in recipient.Variables)
        {
            if (MailRules.VariableProblem(name, value) is not null)
            {
                return "invalid-variable";
            }
        }

        return null;
    }

    private static void Reject(AddRecipientsResponse response, long batch, int index, string address, string reason)
    {
        response.Rejected++;
        if (response.RejectedRows.Count < MaxRejectedRowsReturned)
        {
            response.RejectedRows.Add(new RejectedRecipient { BatchNumber = batch, Index = index, Address = address, Reason = reason });
        }
    }

    /// <inheritdoc />
    public override async Task<Campaign> StartCampaign(StartCampaignRequest request, ServerCallContext context) =>
        (await Grain(request.CampaignId).Start(context.Tenant())).ToApi();

    /// <inheritdoc />
    public override async Task<Campaign> GetCampaign(GetCampaignRequest request, ServerCallContext context) =>
        (await Grain(request.CampaignId).GetSnapshot(context.Tenant())).ToApi();

    /// <inheritdoc />
    public override async Task WatchCampaign(GetCampaignRequest request, IServerStreamWriter<Campaign> responseStream, ServerCallContext context)
    {
        var grain = Grain(request.CampaignId);
        var tenant = context.Tenant();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            var snapshot = await grain.GetSnapshot(tenant);
            await responseStream.WriteAsync(snapshot.ToApi(), context.CancellationToken);
            if (snapshot.State == Orleans.Mail.Campaigns.CampaignState.Completed)
            {
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(context.CancellationToken));
    }

    /// <inheritdoc />
    public override async Task<ListMessagesResponse> ListMessages(ListMessagesRequest request, ServerCallContext context)
    {
        var pageSize = request.PageSize == 0 ? 100 : request.PageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw BadRequests.Single("page_size", $"must be 1 to {MaxPageSize}");
        }

        Guid? after = null;
        if (request.PageToken.Length > 0)
        {
            if (!MailIds.TryParse(request.PageToken, MailIds.MessagePrefix, out var token))
            {
                throw BadRequests.Single("page_token", "is not a token from a previous response");
            }

            after = token;
        }

        var page = await Grain(request.CampaignId).ListMessages(context.Tenant(), ProtoMapping.FromApi(request.State), after, pageSize);
        var response = new ListMessagesResponse { NextPageToken = page.NextAfter is { } next ? MailIds.Message(next) : string.Empty };
        response.Messages.AddRange(page.Messages.Select(m => new MessageSummary
        {
            Id = MailIds.Message(m.Id),
            Recipient = m.Recipient,
            State = m.State.ToApi(),
            Attempts = m.Attempts,
            LastReply = m.LastReply ?? string.Empty,
        }));
        return response;
    }

    private ICampaignGrain Grain(string campaignId) =>
        MailIds.TryParse(campaignId, MailIds.CampaignPrefix, out _)
            ? grains.GetGrain<ICampaignGrain>(campaignId)
            : throw BadRequests.Single("campaign_id", "is not a campaign id (cmp_ and 32 hex digits)");
}
