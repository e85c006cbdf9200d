using Google.Protobuf;
using Grpc.Core;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// A hostile client: at least 10,000 requests mutated from valid ones (flipped and random bytes, truncation, oversized
/// fields, invalid UTF-8, huge repeated fields, unknown enum values) sent as raw bytes to a running gateway. None may
/// answer INTERNAL or UNKNOWN, no process may exit, and what was accepted before the run is still delivered once
/// (Security issue, item 7; security review F17–F19). Its own cluster: mutated requests that happen to be valid
/// create mail, which must not land in the shared receiver.
/// </summary>
public sealed class GatewayFuzzTests
{
    private const int Requests = 10_000;
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    [Fact]
    public async Task MutatedRequests_TenThousand_NoInternalOrUnknownNoCrashEarlierMailDeliveredOnce()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = new MailCluster();
        await cluster.InitializeAsync();

        var before = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var send = new SendMessageRequest { From = "Shop <orders@shop.example>", Subject = $"before {i}", TextBody = "t" };
            send.To.Add($"before{i}@fuzz-before.example");
            before.Add((await cluster.Messages.SendMessageAsync(send, cancellationToken: token)).Id);
        }

        var campaign = await cluster.Campaigns.CreateCampaignAsync(CampaignFlow.Definition(), cancellationToken: token);
        var seeds = Seeds(campaign.Id, before[0]);
        var random = new Random(20261203);
        var codes = new Dictionary<StatusCode, int>();
        var failures = new List<string>();
        var invoker = cluster.Channel.CreateCallInvoker();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(TimeSpan.FromMinutes(4));

        var sent = 0;
        var workers = Enumerable.Range(0, 8).Select(async worker =>
        {
            var local = new Random(random.Next());
            while (Interlocked.Increment(ref sent) <= Requests && !deadline.IsCancellationRequested)
            {
                var (method, seed) = seeds[local.Next(seeds.Length)];
                var (mutation, body) = Mutate(seed, local);
                var code = await CallAsync(invoker, method, body, deadline.Token);
                lock (codes)
                {
                    codes[code] = codes.GetValueOrDefault(code) + 1;
                    if (code is StatusCode.Internal or StatusCode.Unknown && failures.Count < 20)
                    {
                        failures.Add($"{method.FullName} {mutation}: {code}");
                    }
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);

        var summary = string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz: {summary}");
        Assert.True(codes.Values.Sum() >= Requests, $"only {codes.Values.Sum()} requests in time: {summary}");
        Assert.True(failures.Count == 0, $"{summary}\n{string.Join('\n', failures)}\n{cluster.Diagnostics}");
        Assert.True(cluster.ProcessesRunning, cluster.Diagnostics);

        // Mail accepted before the run: delivered, each exactly once.
        var until = DateTime.UtcNow.AddSeconds(60);
        int Delivered() => cluster.Sink.ReadMessages().Count(m => m.Recipients.Any(r => r.EndsWith("@fuzz-before.example", StringComparison.Ordinal)));
        while (Delivered() < before.Count && DateTime.UtcNow < until)
        {
            await Task.Delay(250, token);
        }

        var received = cluster.Sink.ReadMessages().SelectMany(m => m.Recipients).Where(r => r.EndsWith("@fuzz-before.example", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"before{i}@fuzz-before.example").Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    private static async Task<StatusCode> CallAsync(CallInvoker invoker, Method<byte[], byte[]> method, byte[] body, CancellationToken token)
    {
        try
        {
            var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: token);
            if (method.Type == MethodType.ClientStreaming)
            {
                using var call = invoker.AsyncClientStreamingCall(method, null, options);
                await call.RequestStream.WriteAsync(body, token);
                await call.RequestStream.CompleteAsync();
                await call.ResponseAsync;
            }
            else
            {
                await invoker.AsyncUnaryCall(method, null, options, body);
            }

            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    private static Method<byte[], byte[]> Unary(string service, string name) => new(MethodType.Unary, service, name, Raw, Raw);

    private static (Method<byte[], byte[]> Method, byte[] Seed)[] Seeds(string campaignId, string messageId)
    {
        const string Campaigns = "orleans.mail.v1.CampaignService", Messages = "orleans.mail.v1.MessageService";
        const string Suppressions = "orleans.mail.v1.SuppressionService", Sites = "orleans.mail.v1.SiteService";
        var send = new SendMessageRequest { From = "Shop <orders@shop.example>", Subject = "Hello {{ x }}", TextBody = "Hi", HtmlBody = "<p>Hi</p>" };
        send.To.Add("ana@fuzz.example");
        send.Cc.Add("bo@fuzz.example");
        send.Headers.Add(new Header { Name = "X-Campaign", Value = "fuzz" });
        var add = new AddRecipientsRequest { CampaignId = campaignId, BatchNumber = 1 };
        add.Recipients.Add(new Recipient { Address = "r1@fuzz.example", Variables = { ["first_name"] = "Ana" } });
        add.Recipients.Add(new Recipient { Address = "r2@fuzz.example" });
        var suppress = new AddSuppressionsRequest { Reason = "manual" };
        suppress.Addresses.Add("s@fuzz.example");
        var check = new CheckSuppressionsRequest();
        check.Addresses.Add("s@fuzz.example");
        var remove = new RemoveSuppressionsRequest();
        remove.Addresses.Add("nobody@fuzz.example");
        return
        [
            (Unary(Messages, "SendMessage"), send.ToByteArray()),
            (Unary(Messages, "GetMessage"), new GetMessageRequest { Id = messageId }.ToByteArray()),
            (Unary(Campaigns, "CreateCampaign"), CampaignFlow.Definition().ToByteArray()),
            (new Method<byte[], byte[]>(MethodType.ClientStreaming, Campaigns, "AddRecipients", Raw, Raw), add.ToByteArray()),
            (Unary(Campaigns, "GetCampaign"), new GetCampaignRequest { CampaignId = campaignId }.ToByteArray()),
            (Unary(Campaigns, "ListMessages"), new ListMessagesRequest { CampaignId = campaignId, State = MessageState.Queued, PageSize = 10 }.ToByteArray()),
            (Unary(Campaigns, "StartCampaign"), new StartCampaignRequest { CampaignId = campaignId }.ToByteArray()),
            (Unary(Suppressions, "AddSuppressions"), suppress.ToByteArray()),
            (Unary(Suppressions, "CheckSuppressions"), check.ToByteArray()),
            (Unary(Suppressions, "RemoveSuppressions"), remove.ToByteArray()),
            (Unary(Suppressions, "ListSuppressions"), new ListSuppressionsRequest { PageSize = 5 }.ToByteArray()),
            (Unary(Sites, "GetSite"), new GetSiteRequest { Site = "fuzz.example" }.ToByteArray()),
        ];
    }

    private static (string Mutation, byte[] Body) Mutate(byte[] seed, Random random)
    {
        var body = (byte[])seed.Clone();
        switch (random.Next(9))
        {
            case 0:
                for (var i = random.Next(1, 6); i > 0 && body.Length > 0; i--)
                {
                    body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
                }

                return ("bit flips", body);
            case 1:
                return ("truncated", body[..random.Next(body.Length + 1)]);
            case 2:
                var noise = new byte[random.Next(1, 512)];
                random.NextBytes(noise);
                return ("random bytes", noise);
            case 3:
                return ("invalid UTF-8 in a string field", [.. body, .. Field(random.Next(1, 8), [0x61, 0xC3, 0x28, 0xFF, 0xFE, 0x62])]);
            case 4:
                return ("oversized string field", [.. body, .. Field(random.Next(1, 8), new byte[random.Next(70_000, 300_000)].Select(_ => (byte)'x').ToArray())]);
            case 5:
                var repeated = new List<byte>(body);
                var entry = Field(random.Next(1, 8), "x@fuzz.example"u8.ToArray());
                for (var i = random.Next(1_000, 20_000); i > 0; i--)
                {
                    repeated.AddRange(entry);
                }

                return ("huge repeated field", [.. repeated]);
            case 6:
                // Varint fields 1-9 with values an enum or int32 never takes (unknown enum values, negative, overflow).
                var value = random.Next(3) switch { 0 => 999UL, 1 => ulong.MaxValue, _ => (ulong)random.NextInt64() };
                return ("unknown enum or out-of-range number", [.. body, .. Varint(((ulong)random.Next(1, 10) << 3) | 0), .. Varint(value)]);
            case 7:
                var cut = new byte[body.Length + 1];
                body.CopyTo(cut, 0);
                cut[^1] = 0x0A; // a length-delimited field 1 whose length is missing
                return ("dangling tag", cut);
            default:
                var nul = Field(random.Next(1, 8), "a\0b@fuzz.example"u8.ToArray());
                return ("NUL in a string field", [.. body, .. nul]);
        }
    }

    private static byte[] Field(int number, byte[] value) => [.. Varint(((ulong)number << 3) | 2), .. Varint((ulong)value.Length), .. value];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
