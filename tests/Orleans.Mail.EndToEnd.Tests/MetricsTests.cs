using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>Issue 5, observation: silo and gateway export OpenTelemetry metrics in Prometheus format, with real counts.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task CampaignSendAndBadRequest_SiloAndGatewayMetrics_CountWhatHappened()
    {
        const int Recipients = 20;
        var metricsPort = FreePort.Next();
        var token = TestContext.Current.CancellationToken;
        await using var receiver = await ScriptedSmtpServer.StartAsync();
        await using var cluster = await MailCluster.StartWithSmarthostAsync(receiver.Endpoint, env => env["Silo__MetricsPort"] = metricsPort.ToString());

        var rows = Enumerable.Range(0, Recipients).Select(i => new Recipient { Address = $"m{i}@metrics.example" }).ToList();
        var created = await CampaignFlow.StartAsync(cluster.Campaigns, rows, batchSize: 10);
        var send = new SendMessageRequest { From = "shop@sender.test", Subject = "Code", TextBody = "1" };
        send.To.Add("tx@metrics.example");
        await cluster.Messages.SendMessageAsync(send, cancellationToken: token);
        var bad = new SendMessageRequest { From = "not an address", Subject = "x", TextBody = "y" };
        bad.To.Add("tx@metrics.example");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Messages.SendMessageAsync(bad, cancellationToken: token));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.ReceivedAt("tx@metrics.example") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, token);
        }

        using var http = new HttpClient();
        // The exporters cache a scrape briefly; the counts are final once both deliveries are recorded.
        var silo = await ScrapeUntilAsync(http, $"http://127.0.0.1:{metricsPort}/metrics", null,
            text => Sum(text, "orleans_mail_outcomes_total", ("action", "delivered")) >= Recipients + 1);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', silo.Split('\n').Where(l => l.StartsWith("orleans_mail_", StringComparison.Ordinal) && !l.Contains("_bucket"))));
        Assert.Equal(Recipients, Sum(silo, "orleans_mail_accepted_total", ("kind", "campaign")));
        Assert.Equal(1, Sum(silo, "orleans_mail_accepted_total", ("kind", "transactional")));
        Assert.Equal(Recipients + 1, Sum(silo, "orleans_mail_outcomes_total", ("action", "delivered"), ("class", "ok")));
        Assert.Equal(0, Sum(silo, "orleans_mail_outcomes_total", ("action", "bounced")));
        Assert.True(Sum(silo, "orleans_mail_smtp_transaction_duration_seconds_count") >= 1);
        Assert.Contains("orleans_mail_spool_depth{", silo);

        var admin = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{cluster.AdminPassword}")));
        var gateway = await ScrapeUntilAsync(http, $"http://127.0.0.1:{cluster.AdminPort}/metrics", admin,
            text => Sum(text, "orleans_mail_gateway_requests_total", ("method", "SendMessage"), ("code", "INVALID_ARGUMENT")) >= 1);
        Assert.Equal(1, Sum(gateway, "orleans_mail_gateway_requests_total", ("method", "CreateCampaign"), ("code", "OK")));
        Assert.Equal(1, Sum(gateway, "orleans_mail_gateway_requests_total", ("method", "SendMessage"), ("code", "OK")));
        Assert.Equal(1, Sum(gateway, "orleans_mail_gateway_requests_total", ("method", "SendMessage"), ("code", "INVALID_ARGUMENT")));

        using var anonymous = await http.GetAsync($"http://127.0.0.1:{cluster.AdminPort}/metrics", token);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static async Task<string> ScrapeUntilAsync(HttpClient http, string url, AuthenticationHeaderValue? auth, Func<string, bool> done)
    {
        var text = string.Empty;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = auth;
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if (response.IsSuccessStatusCode && done(text))
            {
                return text;
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        return text;
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Sum(string exposition, string metric, params (string Name, string Value)[] labels)
    {
        double sum = 0;
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length || (line[metric.Length] != '{' && line[metric.Length] != ' '))
            {
                continue;
            }

            var labelEnd = line.IndexOf('}');
            var labelText = labelEnd > 0 ? line[..labelEnd] : string.Empty;
            if (!labels.All(l => labelText.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                continue;
            }

            var value = line[((labelEnd > 0 ? labelEnd : metric.Length) + 1)..].Trim().Split(' ')[0];
            sum += double.Parse(value, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
