using Google.Rpc;
using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Cli;

namespace Orleans.Mail.EndToEnd.Tests;

public sealed class BadInputTests(MailCluster cluster)
{
    private static async Task<(StatusCode Code, string[] Fields)> FailureOf(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        var fields = ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToArray() ?? [];
        return (ex.StatusCode, fields);
    }

    public static TheoryData<string, string> BadCampaigns => new()
    {
        { "from", "not-an-address" },
        { "envelope_sender", "bounces@@sender.test" },
        { "subject", "line\r\nBcc: victim@example.com" },
        { "subject", "" },
        { "subject", "{% if %}" },
        { "text_body", "" },
        { "text_body", "{{ unclosed" },
        { "text_body", "oversize" },
        { "headers[0].value", "x\nInjected: yes" },
        { "headers[0].name", "Bad Name" },
        { "weight", "101" },
        { "weight", "-1" },
    };

    [Theory]
    [MemberData(nameof(BadCampaigns))]
    public async Task CreateCampaign_BadField_InvalidArgumentNamingTheField(string field, string value)
    {
        var request = CampaignFlow.Definition();
        switch (field)
        {
            case "from": request.From = value; break;
            case "envelope_sender": request.EnvelopeSender = value; break;
            case "subject": request.Subject = value; break;
            case "text_body" when value == "oversize": request.TextBody = new string('x', MailCluster.MaxMessageBytes + 1); break;
            case "text_body" when value == "": request.TextBody = ""; request.HtmlBody = ""; break;
            case "text_body": request.TextBody = value; break;
            case "headers[0].value": request.Headers.Add(new Header { Name = "X-Test", Value = value }); break;
            case "headers[0].name": request.Headers.Add(new Header { Name = value, Value = "v" }); break;
            case "weight": request.Weight = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var (code, fields) = await FailureOf(() => cluster.Campaigns.CreateCampaignAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Contains(field, fields);
    }

    [Fact]
    public async Task AddRecipients_ThreeBadRowsAmong997Good_Accepts997AndReportsTheThree()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        var rows = CampaignFlow.Recipients(997, 7, prefix: "mixed");
        rows.Insert(10, new Recipient { Address = "not-an-email" });
        var withNewline = new Recipient { Address = "nl@mixed.example" };
        withNewline.Variables["first_name"] = "Eve\r\nBcc: x@y.example";
        rows.Insert(500, withNewline);
        rows.Insert(999, new Recipient { Address = "two@@mixed.example" });

        var result = await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, rows, batchSize: 1000);
        Assert.Equal(997, result.Accepted);
        Assert.Equal(3, result.Rejected);
        Assert.Equal(
            [(10, "invalid-address"), (500, "invalid-variable"), (999, "invalid-address")],
            result.RejectedRows.Select(r => (r.Index, r.Reason)).OrderBy(r => r.Index));
        var campaign = await cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id });
        Assert.Equal(997, campaign.Total);
    }

    [Fact]
    public async Task AddRecipients_AfterStart_FailedPrecondition()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, CampaignFlow.Recipients(2, 1, prefix: "frozen"), batchSize: 10);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });

        var (code, _) = await FailureOf(() => CampaignFlow.AddAsync(cluster.Campaigns, created.Id, CampaignFlow.Recipients(1, 1, prefix: "late"), batchSize: 10, firstBatch: 2));
        Assert.Equal(StatusCode.FailedPrecondition, code);
    }

    [Fact]
    public async Task StartCampaign_NoRecipients_FailedPrecondition()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        var (code, _) = await FailureOf(() => cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, code);
    }

    [Fact]
    public async Task GetCampaign_OtherTenantsCampaign_NotFound()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        var (code, _) = await FailureOf(() => cluster.OtherTenantCampaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = created.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);
    }

    [Fact]
    public async Task GetMessage_OtherTenantsMessage_NotFound()
    {
        var request = new SendMessageRequest { From = "a@sender.test", Subject = "s", TextBody = "b" };
        request.To.Add("someone@tenant.example");
        var sent = await cluster.Messages.SendMessageAsync(request);
        var (code, _) = await FailureOf(() => cluster.OtherTenantMessages.GetMessageAsync(new GetMessageRequest { Id = sent.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);
    }

    [Fact]
    public async Task GetCampaign_MalformedId_InvalidArgumentNamingCampaignId()
    {
        var (code, fields) = await FailureOf(() => cluster.Campaigns.GetCampaignAsync(new GetCampaignRequest { CampaignId = "cmp_nothex" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal(["campaign_id"], fields);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task AnyCall_MissingOrWrongApiKey_Unauthenticated(string? key)
    {
        using var channel = key is null
            ? Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{cluster.GrpcPort}")
            : GatewayConnection.Open($"http://127.0.0.1:{cluster.GrpcPort}", key);
        var client = new CampaignService.CampaignServiceClient(channel);
        var (code, _) = await FailureOf(() => client.CreateCampaignAsync(CampaignFlow.Definition()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, code);
    }

    public static TheoryData<string> BadMessages => new() { "to[0]", "cc[0]", "from", "subject", "headers[0].value", "to" };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task SendMessage_BadField_InvalidArgumentNamingTheField(string field)
    {
        var request = new SendMessageRequest { From = "a@sender.test", Subject = "Hi", TextBody = "Body" };
        request.To.Add("ok@tx.example");
        switch (field)
        {
            case "to[0]": request.To[0] = "broken@"; break;
            case "cc[0]": request.Cc.Add("x@y.example\r\nBcc: z@z.example"); break;
            case "from": request.From = "Sender <>"; break;
            case "subject": request.Subject = ""; request.TextBody = ""; break;
            case "headers[0].value": request.Headers.Add(new Header { Name = "X-A", Value = "a\rb" }); break;
            case "to": request.To.Clear(); break;
        }

        var (code, fields) = await FailureOf(() => cluster.Messages.SendMessageAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Contains(field, fields);
    }
}
