using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

public sealed class GatewaySurfaceTests(MailCluster cluster)
{
    [Fact]
    public async Task HealthCheck_WithoutApiKey_Serving()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{cluster.GrpcPort}");
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_NamesBothMailServices()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{cluster.GrpcPort}");
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("orleans.mail.v1.CampaignService", names);
        Assert.Contains("orleans.mail.v1.MessageService", names);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("admin:wrong-password", HttpStatusCode.Unauthorized)]
    [InlineData("admin:admin-password-for-tests", HttpStatusCode.OK)]
    public async Task Dashboard_OnAdminPort_RequiresBasicAuthentication(string? credentials, HttpStatusCode expected)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{cluster.AdminPort}/dashboard/");
        if (credentials is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_OnGrpcPort_NotServed()
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.GetAsync($"http://127.0.0.1:{cluster.GrpcPort}/dashboard/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task WatchCampaign_UntilCompleted_StreamsSnapshotsEndingWithTheCompletedOne()
    {
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition());
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, CampaignFlow.Recipients(50, 5, prefix: "watch"), batchSize: 50);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var watch = cluster.Campaigns.WatchCampaign(new GetCampaignRequest { CampaignId = created.Id }, cancellationToken: timeout.Token);
        var snapshots = new List<Campaign>();
        while (await watch.ResponseStream.MoveNext(timeout.Token))
        {
            snapshots.Add(watch.ResponseStream.Current);
        }

        var last = snapshots[^1];
        Assert.Equal(CampaignState.Completed, last.State);
        Assert.Equal(50, last.Delivered);
        Assert.NotNull(last.CompletedAt);
        Assert.All(snapshots[..^1], s => Assert.NotEqual(CampaignState.Completed, s.State));
        Assert.All(snapshots, s => Assert.Equal(50, s.Total));
    }
}
