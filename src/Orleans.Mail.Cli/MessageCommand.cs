using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Cli;

/// <summary><c>orleans-mail message</c>: a message's state per recipient and its attempts.</summary>
public static class MessageCommand
{
    /// <summary>Prints one line per recipient and one per attempt.</summary>
    public static async Task<int> RunAsync(CliArguments options)
    {
        using var channel = GatewayConnection.Open(options);
        var status = await new MessageService.MessageServiceClient(channel).GetMessageAsync(new GetMessageRequest { Id = options.Required("id") });
        foreach (var recipient in status.Recipients)
        {
            Console.WriteLine($"{recipient.Address}: {recipient.State}");
            foreach (var attempt in recipient.Attempts)
            {
                Console.WriteLine($"  {attempt.Time.ToDateTimeOffset():O} {attempt.MxHost} {attempt.Action}: {attempt.SmtpReply}");
            }
        }

        return 0;
    }
}
