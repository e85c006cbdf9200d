using Google.Rpc;
using Grpc.Core;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Inputs found by trying to break the engine: each gets a precise answer and loses nothing.</summary>
public sealed class RobustnessTests(MailCluster cluster)
{
    private static async Task<(StatusCode Code, string[] Fields)> FailureOf(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        return (ex.StatusCode, ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToArray() ?? []);
    }

    public static TheoryData<string> NulFields => new() { "subject", "text_body", "headers[0].value" };

    [Theory]
    [MemberData(nameof(NulFields))]
    public async Task SendMessage_NulCharacter_InvalidArgumentNamingTheField(string field)
    {
        var request = new SendMessageRequest { From = "a@sender.test", Subject = "Hi", TextBody = "Body" };
        request.To.Add("nul@tx.example");
        switch (field)
        {
            case "subject": request.Subject = "a\0b"; break;
            case "text_body": request.TextBody = "x\0y"; break;
            default: request.Headers.Add(new Header { Name = "X-Tag", Value = "p\0q" }); break;
        }

        var (code, fields) = await FailureOf(() => cluster.Messages.SendMessageAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Contains(field, fields);
    }

    [Theory]
    [InlineData("From")]
    [InlineData("Bcc")]
    [InlineData("Content-Transfer-Encoding")]
    public async Task SendMessage_HeaderTheEngineOwns_InvalidArgumentNamingHeaderName(string name)
    {
        var request = new SendMessageRequest { From = "Shop <orders@shop.test>", Subject = "Hi", TextBody = "Body" };
        request.To.Add("victim@tx.example");
        request.Headers.Add(new Header { Name = name, Value = "ceo@bank.example" });

        var (code, fields) = await FailureOf(() => cluster.Messages.SendMessageAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal(["headers[0].name"], fields);
    }

    [Fact]
    public async Task AddRecipients_BatchNumberReusedWithOtherRecipients_FailedPreconditionAndFirstBatchKept()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [new Recipient { Address = "first@reuse.example" }], batchSize: 10);

        var (code, _) = await FailureOf(() => CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [new Recipient { Address = "second@reuse.example" }], batchSize: 10));

        Assert.Equal(StatusCode.FailedPrecondition, code);
        var page = await cluster.Campaigns.ListMessagesAsync(new ListMessagesRequest { CampaignId = created.Id });
        Assert.Equal(["first@reuse.example"], page.Messages.Select(m => m.Recipient));
    }

    [Theory]
    [InlineData("email")]
    [InlineData("first name}}{{")]
    [InlineData("")]
    public async Task AddRecipients_BadVariableName_RowRejectedAsInvalidVariable(string name)
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        var row = new Recipient { Address = "var@vars.example" };
        row.Variables[name] = "x";

        var result = await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [row, new Recipient { Address = "ok@vars.example" }], batchSize: 10);

        Assert.Equal(1, result.Accepted);
        Assert.Equal((0, "invalid-variable"), (result.RejectedRows.Single().Index, result.RejectedRows.Single().Reason));
    }

    [Theory]
    [InlineData("{% include 'x' %}")]
    [InlineData("{% for i in (1..100000000) %}x{% endfor %}")]
    public async Task CreateCampaign_IncludeTagOrHugeRange_InvalidArgumentNamingTheBody(string body)
    {
        var request = CampaignFlow.Definition();
        request.TextBody = body;

        var (code, fields) = await FailureOf(() => cluster.Campaigns.CreateCampaignAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal(["text_body"], fields);
    }

    [Fact]
    public async Task Campaign_TemplateFailsAtRenderForOneRecipient_ThatMessageBouncesOthersDeliveredCampaignCompletes()
    {
        var request = CampaignFlow.Definition();
        request.TextBody = "Share: {{ 100 | divided_by: parts }}";
        var created = await cluster.Campaigns.CreateCampaignAsync(request);
        var good = new Recipient { Address = "good@render.example" };
        good.Variables["parts"] = "4";
        var bad = new Recipient { Address = "bad@render.example" };
        bad.Variables["parts"] = "0";
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [good, bad], batchSize: 10);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });

        var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        Assert.Equal((2L, 1L, 1L), (done.Total, done.Delivered, done.Bounced));
        var received = cluster.Sink.ReadMessages().Where(m => m.Recipients.Any(r => r.EndsWith("@render.example", StringComparison.Ordinal))).ToList();
        Assert.Equal("good@render.example", received.Single().Recipients.Single());
        Assert.Contains("Share: 25", received.Single().Message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suppression_NonAsciiAddressInOtherCase_MatchesTheSameEntry()
    {
        var client = new SuppressionService.SuppressionServiceClient(cluster.Channel);
        var add = new AddSuppressionsRequest();
        add.Addresses.Add("ü@bücher.example");
        await client.AddSuppressionsAsync(add);

        var again = new AddSuppressionsRequest();
        again.Addresses.Add("Ü@BÜCHER.example");
        Assert.Equal(0, (await client.AddSuppressionsAsync(again)).Added);
        var check = new CheckSuppressionsRequest();
        check.Addresses.Add("Ü@bücher.EXAMPLE");
        Assert.Single((await client.CheckSuppressionsAsync(check)).Suppressed);
    }

    [Fact]
    public async Task AddSuppressions_OversizedReason_InvalidArgumentNamingReason()
    {
        var add = new AddSuppressionsRequest { Reason = new string('r', 1001) };
        add.Addresses.Add("long@reason.example");
        var (code, fields) = await FailureOf(() => new SuppressionService.SuppressionServiceClient(cluster.Channel).AddSuppressionsAsync(add).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Equal(["reason"], fields);
    }
}
