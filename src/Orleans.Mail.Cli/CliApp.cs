using Grpc.Core;
using Spectre.Console;

namespace Orleans.Mail.Cli;

/// <summary>The <c>orleans-mail</c> command: campaign, send, send-load, message, samples, classify, site.</summary>
public static class CliApp
{
    private const string Usage = """
        usage: orleans-mail <command> [options]

          campaign  --recipients FILE.csv --from MAILBOX --subject TEMPLATE (--text TEMPLATE | --html TEMPLATE)
                    [--name NAME] [--envelope-sender ADDR] [--weight 1-100] [--batch-size 1000] [--no-watch]
                    Creates a campaign, streams the CSV (header: email,var1,var2,…), starts it and shows
                    progress until it completes; last line: "final: state=… total=… delivered=… …".
          send      --from MAILBOX --to MAILBOX [--to …] [--cc …] --subject TEXT [--text TEXT] [--html HTML]
          send-load --from MAILBOX --domain DOMAIN --out FILE.tsv [--count 1000] [--rate 100] [--prefix tx]
                    transactional messages to PREFIXn@DOMAIN at a steady rate; one TSV row per call
                    (address, called and answered in Unix ms, status), for latency measurements
          message   --id MSG_ID        delivery status and attempts of a message
          samples   --out FILE.csv [--count 10000] [--seed 42]   writes a realistic recipient list
          classify  --file FILE.tsv [--rules RULES.tsv]   classifies SMTP replies (columns stage, reply) offline
          site      get|suspend|resume|policy|clear-policy (--site KEY | --domain DOMAIN)
                    [--seconds N] [--reason TEXT] [--rate MSGS_PER_S] [--connections N] [--per-connection N]
                    operator API: a destination site's status and limits (needs an operator tenant's key)

        common: --gateway URL (default http://127.0.0.1:5080, env ORLEANS_MAIL_GATEWAY)
                --api-key KEY (env ORLEANS_MAIL_API_KEY)
        """;

    /// <summary>Runs a command; returns the process exit code (0 success, 1 failure, 2 usage).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            // "site" takes an action word before its options.
            var options = new CliArguments(args.Skip(args[0] == "site" ? 2 : 1));
            return args[0] switch
            {
                "campaign" => await CampaignCommand.RunAsync(options),
                "send" => await SendCommand.RunAsync(options),
                "send-load" => await SendLoadCommand.RunAsync(options),
                "message" => await MessageCommand.RunAsync(options),
                "samples" => SampleListCommand.Run(options),
                "classify" => ClassifyCommand.Run(options),
                "site" => await SiteCommand.RunAsync(options, args.Length > 1 ? args[1] : throw new ArgumentException("site needs an action: get, suspend, resume, policy or clear-policy.")),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'."),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (RpcException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
    }
}
