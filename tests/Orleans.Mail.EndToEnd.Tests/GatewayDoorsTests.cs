using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Rpc;
using Grpc.Core;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>The gateway's doors against a hostile caller (security review F03, F17, F18, F19, F21, F23).</summary>
public sealed class GatewayDoorsTests(MailCluster cluster)
{
    private static HttpClient Http2() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/ClusterStats")]
    [InlineData("/metrics")]
    [InlineData("/")]
    public async Task AdminPath_OnGrpcPortWithAdminHostHeader_NotServed(string path)
    {
        using var http = Http2();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{cluster.GrpcPort}{path}");
        request.Headers.Host = $"x:{cluster.AdminPort}";

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("orleans", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AdminLogin_RepeatedWrongPasswords_LockedOutWith429WhileTheRealAdminStillGetsIn()
    {
        using var http = new HttpClient();
        async Task<HttpResponseMessage> GetAsync(string credentials)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{cluster.AdminPort}/dashboard/");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            return await http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await GetAsync($"intruder:guess-{i}");
            codes.Add(response.StatusCode);
        }

        // The default allows 5 failures; the 6th and 7th are refused without a check, even the right password.
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
        using var admin = await GetAsync($"admin:{cluster.AdminPassword}");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task SendMessage_HugeBadFrom_InvalidArgumentWithShortEcho()
    {
        var request = new SendMessageRequest { From = new string('x', 50_000), Subject = "s", TextBody = "t" };
        request.To.Add("a@doors.example");

        var ex = await Assert.ThrowsAsync<RpcException>(() => cluster.Messages.SendMessageAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.True(ex.Status.Detail.Length < 1_000, $"detail is {ex.Status.Detail.Length} characters");
        Assert.Contains("from", ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task SendMessage_NulInQuotedDisplayName_InvalidArgumentNamingFrom()
    {
        var request = new SendMessageRequest { From = "\"A\u0000B\" <a@shop.example>", Subject = "s", TextBody = "t" };
        request.To.Add("a@doors.example");

        var ex = await Assert.ThrowsAsync<RpcException>(() => cluster.Messages.SendMessageAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["from"], ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task SendMessage_RecipientLocalPartOf3000Characters_InvalidArgumentNamingTo()
    {
        var request = new SendMessageRequest { From = "a@shop.example", Subject = "s", TextBody = "t" };
        request.To.Add($"{new string('l', 3000)}@long.test");

        var ex = await Assert.ThrowsAsync<RpcException>(() => cluster.Messages.SendMessageAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["to[0]"], ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task SuppressionService_TwoMegabyteRequest_RefusedBeforeReadingAsTooLarge()
    {
        var request = new AddSuppressionsRequest { Reason = new string('r', 5 * 1024 * 1024) };
        request.Addresses.Add("big@doors.example");

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            new SuppressionService.SuppressionServiceClient(cluster.Channel).AddSuppressionsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Suppression_AddedAsAlabel_CheckedAndSentAsUlabel_SuppressedBothWays()
    {
        var suppressions = new SuppressionService.SuppressionServiceClient(cluster.Channel);
        var add = new AddSuppressionsRequest { Reason = "complaint" };
        add.Addresses.Add("ana@xn--bcher-kva.example");
        await suppressions.AddSuppressionsAsync(add);

        var check = new CheckSuppressionsRequest();
        check.Addresses.Add("Ana@Bücher.example");
        Assert.Single((await suppressions.CheckSuppressionsAsync(check)).Suppressed);

        var send = new SendMessageRequest { From = "a@shop.example", Subject = "idn", TextBody = "t" };
        send.To.Add("ana@bücher.example");
        var id = (await cluster.Messages.SendMessageAsync(send)).Id;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        MessageStatus message;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            message = await cluster.Messages.GetMessageAsync(new GetMessageRequest { Id = id });
        }
        while (message.Recipients.Any(r => r.State is MessageState.Queued or MessageState.InFlight) && DateTime.UtcNow < deadline);

        Assert.Equal(MessageState.Suppressed, Assert.Single(message.Recipients).State);
    }
}
