using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Mail.Gateway.Unsubscribe;
using Orleans.Mail.Suppression;

namespace Orleans.Mail.Gateway.Tests;

public sealed class UnsubscribeEndpointTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-secret";
    private static readonly Guid Campaign = Guid.Parse("0195f1a2-b3c4-7d5e-8f60-718293a4b5c6");

    private readonly List<UnsubscribeToken> _suppressed = [];

    private static string Token(string address = "ann@example.org") => UnsubscribeToken.Create(Secret, "tenant-a", address, Campaign);

    private async Task<(int Status, string Body, HttpResponse Response)> SendAsync(
        string method, string path, string? body = "List-Unsubscribe=One-Click", string contentType = "application/x-www-form-urlencoded")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }

        var output = new MemoryStream();
        context.Response.Body = output;
        await OneClickUnsubscribe.HandleAsync(context, Secret, token =>
        {
            _suppressed.Add(token);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        return (context.Response.StatusCode, Encoding.UTF8.GetString(output.ToArray()), context.Response);
    }

    [Fact]
    public async Task Post_ValidTokenOneClickBody_200AndAddressSuppressedForTenant()
    {
        var (status, body, response) = await SendAsync("POST", "/u/" + Token());

        Assert.Equal(200, status);
        Assert.Contains("unsubscribed", body, StringComparison.OrdinalIgnoreCase);
        var token = Assert.Single(_suppressed);
        Assert.Equal(("tenant-a", "ann@example.org", Campaign), (token.TenantId, token.Address, token.CampaignId));
        Assert.False(response.Headers.ContainsKey("Set-Cookie"));
        Assert.False(response.Headers.ContainsKey("Location"));
    }

    [Fact]
    public async Task Post_MultipartOneClickBody_200()
    {
        const string multipart = "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";

        var (status, _, _) = await SendAsync("POST", "/u/" + Token(), multipart, "multipart/form-data; boundary=b");

        Assert.Equal(200, status);
        Assert.Single(_suppressed);
    }

    [Fact]
    public async Task Post_ForgedToken_400WithoutDetailAndNothingSuppressed()
    {
        var forged = UnsubscribeToken.Create("attacker-secret-attacker-secret-attacker", "tenant-a", "victim@example.org", Campaign);

        var (status, body, _) = await SendAsync("POST", "/u/" + forged);

        Assert.Equal(400, status);
        Assert.Equal("Bad request.\n", body);
        Assert.Empty(_suppressed);
    }

    [Fact]
    public async Task Post_GarbageToken_400()
    {
        var (status, _, _) = await SendAsync("POST", "/u/not-a-token");

        Assert.Equal(400, status);
        Assert.Empty(_suppressed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("List-Unsubscribe=Other")]
    [InlineData("foo=bar")]
    public async Task Post_WithoutOneClickBody_400(string body)
    {
        var (status, _, _) = await SendAsync("POST", "/u/" + Token(), body);

        Assert.Equal(400, status);
        Assert.Empty(_suppressed);
    }

    [Fact]
    public async Task Post_NotAForm_400()
    {
        var (status, _, _) = await SendAsync("POST", "/u/" + Token(), "{}", "application/json");

        Assert.Equal(400, status);
        Assert.Empty(_suppressed);
    }

    [Fact]
    public async Task Get_ValidToken_PageThatPostsAndNothingSuppressed()
    {
        var (status, body, _) = await SendAsync("GET", "/u/" + Token(), body: null);

        Assert.Equal(200, status);
        Assert.Contains("method=\"post\"", body, StringComparison.Ordinal);
        Assert.Contains("One-Click", body, StringComparison.Ordinal);
        Assert.Empty(_suppressed);
    }

    [Fact]
    public async Task Put_405WithAllow()
    {
        var (status, _, response) = await SendAsync("PUT", "/u/" + Token());

        Assert.Equal(405, status);
        Assert.Equal("GET, HEAD, POST", response.Headers.Allow.ToString());
        Assert.Empty(_suppressed);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/u/")]
    [InlineData("/dashboard/")]
    [InlineData("/orleans.mail.v1.SuppressionService/AddSuppressions")]
    public async Task OtherPaths_404(string path)
    {
        var (status, _, _) = await SendAsync("POST", path);

        Assert.Equal(404, status);
        Assert.Empty(_suppressed);
    }

    [Fact]
    public async Task Post_TokenWithExtraSegment_404()
    {
        var (status, _, _) = await SendAsync("POST", "/u/" + Token() + "/x");

        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Post_SuppressionFails_503()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/u/" + Token();
        context.Request.Body = new MemoryStream("List-Unsubscribe=One-Click"u8.ToArray());
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Response.Body = new MemoryStream();

        await OneClickUnsubscribe.HandleAsync(context, Secret, _ => throw new TimeoutException(), NullLogger.Instance);

        Assert.Equal(503, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("short", false)]
    [InlineData("0123456789abcdef0123456789abcdef", true)]
    public void Options_Secret_EmptyOrAtLeast32(string secret, bool valid)
    {
        Assert.Equal(valid, new UnsubscribeEndpointOptions { Secret = secret }.IsValid());
    }
}
