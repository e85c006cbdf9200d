using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Cli;

/// <summary><c>orleans-mail send</c>: one transactional message; prints its id.</summary>
public static class SendCommand
{
    /// <summary>Sends and prints <c>id=msg_…</c>.</summary>
    public static async Task<int> RunAsync(CliArguments options)
    {
        using var channel = GatewayConnection.Open(options);
        var request = new SendMessageRequest
        {
            From = options.Required("from"),
            EnvelopeSender = options.Get("envelope-sender", string.Empty)!,
            Subject = options.Get("subject", string.Empty)!,
            TextBody = options.Get("text", string.Empty)!,
            HtmlBody = options.Get("html", string.Empty)!,
        };
        request.To.AddRange(options.All("to"));
        request.Cc.AddRange(options.All("cc"));
        var response = await new MessageService.MessageServiceClient(channel).SendMessageAsync(request);
        Console.WriteLine($"id={response.Id}");
        return 0;
    }
}
