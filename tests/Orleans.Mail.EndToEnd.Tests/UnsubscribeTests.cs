using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Composition;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// C16 — one-click unsubscribe (RFC 8058) through the real gateway: the URL in List-Unsubscribe is POSTed with
/// <c>List-Unsubscribe=One-Click</c> to the public port (no API key, no cookies, no redirects), and the address
/// is then on the tenant's suppression list.
/// </summary>
public sealed class UnsubscribeTests(MailCluster cluster)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private SuppressionService.SuppressionServiceClient Suppressions => new(cluster.Channel);

    /// <summary>What a mailbox provider uses: no cookies, no redirects followed.</summary>
    private static HttpClient Provider() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    /// <summary>The List-Unsubscribe URL the silo's composer writes for <paramref name="address"/> of tenant-a.</summary>
    private static string ComposedUrl(string address, string secret = MailCluster.UnsubscribeSecret)
    {
        var composer = new MessageComposer(
            Options.Create(new SmtpOptions()), TimeProvider.System,
            Options.Create(new UnsubscribeOptions { BaseUrl = MailCluster.UnsubscribeBaseUrl, Secret = secret }));
        var content = new CampaignContent("News <news@sender.test>", "bounces@sender.test", "Hi", "Hi", "", [], "tenant-a", Guid.NewGuid());
        return ListUnsubscribeUrl(composer.ComposeCampaign(content, Guid.NewGuid(), address, null).Headers[MessageComposer.ListUnsubscribe]);
    }

    private static string ListUnsubscribeUrl(string? header)
    {
        Assert.NotNull(header);
        var value = header.Trim();
        Assert.StartsWith("<" + MailCluster.UnsubscribeBaseUrl + "/u/", value, StringComparison.Ordinal);
        return value[1..value.IndexOf('>', StringComparison.Ordinal)];
    }

    /// <summary>The same path on the gateway's public port (in production a TLS proxy sits in front).</summary>
    private Uri OnPublicPort(string url) => new($"http://127.0.0.1:{cluster.PublicPort}{new Uri(url).AbsolutePath}");

    private static FormUrlEncodedContent OneClick() => new([new("List-Unsubscribe", "One-Click")]);

    private async Task<bool> IsSuppressedAsync(string address)
    {
        var check = new CheckSuppressionsRequest();
        check.Addresses.Add(address);
        return (await Suppressions.CheckSuppressionsAsync(check, cancellationToken: Cancel)).Suppressed.Any(s => s.Address == address);
    }

    [Fact]
    public async Task OneClickPost_ComposedUrl_200ThenAddressSuppressed()
    {
        const string address = "oneclick@unsub-e2e.example";
        using var http = Provider();

        using var response = await http.PostAsync(OnPublicPort(ComposedUrl(address)), OneClick(), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.True(await IsSuppressedAsync(address), cluster.Diagnostics);
        // Another tenant's list is untouched.
        var check = new CheckSuppressionsRequest();
        check.Addresses.Add(address);
        Assert.Empty((await new SuppressionService.SuppressionServiceClient(cluster.OtherTenantChannel).CheckSuppressionsAsync(check, cancellationToken: Cancel)).Suppressed);
    }

    [Fact]
    public async Task OneClickPost_TokenSignedWithAnotherSecret_400AndNotSuppressed()
    {
        const string address = "forged@unsub-e2e.example";
        using var http = Provider();

        using var response = await http.PostAsync(OnPublicPort(ComposedUrl(address, "an-attacker-secret-of-at-least-32-chars")), OneClick(), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad request.\n", await response.Content.ReadAsStringAsync(Cancel));
        Assert.False(await IsSuppressedAsync(address));
    }

    [Fact]
    public async Task Get_ComposedUrl_PageOnlyAndNotSuppressed()
    {
        const string address = "scanner@unsub-e2e.example";
        using var http = Provider();

        using var response = await http.GetAsync(OnPublicPort(ComposedUrl(address)), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("method=\"post\"", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.False(await IsSuppressedAsync(address));
    }

    [Fact]
    public async Task PublicPort_GrpcPathOrDashboard_404()
    {
        using var http = Provider();

        using var grpc = await http.PostAsync(
            new Uri($"http://127.0.0.1:{cluster.PublicPort}/orleans.mail.v1.SuppressionService/CheckSuppressions"), OneClick(), Cancel);
        using var dashboard = await http.GetAsync(new Uri($"http://127.0.0.1:{cluster.PublicPort}/dashboard/"), Cancel);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (grpc.StatusCode, dashboard.StatusCode));
    }

    [Fact]
    public async Task Campaign_ListUnsubscribeFromReceivedMessage_PostSuppressesAddress()
    {
        const string address = "campaign-oneclick@unsub-campaign.example";
        var created = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition(), cancellationToken: Cancel);
        await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, [new Recipient { Address = address }], batchSize: 10);
        await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id }, cancellationToken: Cancel);
        await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));

        var received = Assert.Single(cluster.Sink.ReadMessages(), m => m.Recipients.Contains(address));
        var url = ListUnsubscribeUrl(received.Message.Headers[MessageComposer.ListUnsubscribe]);
        Assert.Equal(MessageComposer.OneClick, received.Message.Headers[MessageComposer.ListUnsubscribePost]?.Trim());
        using var http = Provider();
        using var response = await http.PostAsync(OnPublicPort(url), OneClick(), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await IsSuppressedAsync(address), cluster.Diagnostics);
    }
}
