using System.Globalization;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Cli;

/// <summary>
/// <c>orleans-mail send-load</c>: a steady stream of transactional messages for latency measurements. Sends
/// <c>--count</c> messages (default 1,000) at <c>--rate</c> per second (default 100) to
/// <c>PREFIX{n}@DOMAIN</c>, each call started on schedule whether or not earlier ones have been answered,
/// and writes one TSV row per message: address, call started (Unix ms), answered (Unix ms), status.
/// </summary>
public static class SendLoadCommand
{
    /// <summary>Runs the load; 0 when every call was accepted, 1 when any failed.</summary>
    public static async Task<int> RunAsync(CliArguments options)
    {
        var count = options.Int("count", 1000);
        var rate = options.Int("rate", 100);
        if (count is < 1 or > 1_000_000 || rate is < 1 or > 100_000)
        {
            throw new ArgumentException("--count takes 1 to 1,000,000 and --rate 1 to 100,000 messages per second.");
        }

        var domain = options.Required("domain");
        var prefix = options.Get("prefix", "tx")!;
        var from = options.Required("from");
        var output = options.Required("out");
        using var channel = GatewayConnection.Open(options);
        var client = new MessageService.MessageServiceClient(channel);
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var calls = new Task<string>[count];
        for (var i = 0; i < count; i++)
        {
            // Start each call at its slot: i / rate seconds after the first.
            var due = TimeSpan.FromSeconds((double)i / rate) - time.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            calls[i] = CallAsync(client, time, $"{prefix}{i}@{domain}", from);
        }

        var rows = await Task.WhenAll(calls);
        await File.WriteAllLinesAsync(output, rows);
        var failed = rows.Count(r => !r.EndsWith("\tOK", StringComparison.Ordinal));
        Console.WriteLine($"sent {count} messages at {rate}/s in {time.GetElapsedTime(started).TotalSeconds:F1} s; {failed} calls failed; rows in {output}");
        return failed == 0 ? 0 : 1;
    }

    private static async Task<string> CallAsync(MessageService.MessageServiceClient client, TimeProvider time, string address, string from)
    {
        var request = new SendMessageRequest { From = from, Subject = "Your sign-in code", TextBody = "Your code is 123456." };
        request.To.Add(address);
        var calledAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        string status;
        try
        {
            await client.SendMessageAsync(request);
            status = "OK";
        }
        catch (Grpc.Core.RpcException ex)
        {
            status = ex.StatusCode.ToString();
        }

        return string.Create(CultureInfo.InvariantCulture, $"{address}\t{calledAt}\t{time.GetUtcNow().ToUnixTimeMilliseconds()}\t{status}");
    }
}
