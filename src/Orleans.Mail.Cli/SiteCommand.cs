using System.Globalization;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.Cli;

/// <summary>
/// <c>orleans-mail site</c>: the operator API (<c>SiteService</c>): a destination site's status, its
/// policy, suspending and resuming it. The API key's tenant must be in the gateway's <c>Gateway:OperatorTenants</c>.
/// </summary>
public static class SiteCommand
{
    /// <summary>Runs <c>get</c>, <c>suspend</c>, <c>resume</c>, <c>policy</c> or <c>clear-policy</c> and prints the site's status.</summary>
    /// <exception cref="ArgumentException">A missing or malformed option.</exception>
    public static async Task<int> RunAsync(CliArguments options, string action)
    {
        var site = options.Get("site") ?? string.Empty;
        var domain = options.Get("domain") ?? string.Empty;
        if (site.Length == 0 && domain.Length == 0)
        {
            throw new ArgumentException("--site KEY or --domain DOMAIN is required.");
        }

        using var channel = GatewayConnection.Open(options);
        var client = new SiteService.SiteServiceClient(channel);
        var target = new GetSiteRequest { Site = site, Domain = domain };
        var status = action switch
        {
            "get" => await client.GetSiteAsync(target),
            "resume" => await client.ResumeSiteAsync(target),
            "clear-policy" => await client.ClearSitePolicyAsync(target),
            "suspend" => await client.SuspendSiteAsync(new SuspendSiteRequest
            {
                Site = site, Domain = domain, Seconds = Integer(options, "seconds") ?? 0, Reason = options.Get("reason") ?? string.Empty,
            }),
            "policy" => await client.SetSitePolicyAsync(new SetSitePolicyRequest { Site = site, Domain = domain, Policy = Policy(options) }),
            _ => throw new ArgumentException($"Unknown site action '{action}': use get, suspend, resume, policy or clear-policy."),
        };
        Print(status);
        return 0;
    }

    private static SitePolicy Policy(CliArguments options)
    {
        if (options.Get("rate") is null && options.Get("connections") is null && options.Get("per-connection") is null)
        {
            throw new ArgumentException("site policy needs at least one of --rate, --connections, --per-connection (clear-policy removes one).");
        }

        var policy = new SitePolicy();
        if (options.Get("rate") is { } rate)
        {
            policy.MessagesPerSecond = double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"--rate must be a number of messages per second, not '{rate}'.");
        }

        if (Integer(options, "connections") is { } connections)
        {
            policy.MaxConnections = connections;
        }

        if (Integer(options, "per-connection") is { } perConnection)
        {
            policy.MessagesPerConnection = perConnection;
        }

        return policy;
    }

    private static int? Integer(CliArguments options, string name) =>
        options.Get(name) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"--{name} must be a whole number, not '{text}'.");

    private static void Print(Site status)
    {
        Console.WriteLine($"site {status.Key}: {status.State}");
        Console.WriteLine($"  rate {status.MessagesPerSecond:0.##}/s of {status.CeilingMessagesPerSecond:0.##}/s, " +
                          $"connections {status.Connections} in use, limit {status.MaxConnections} of {status.CeilingConnections}, " +
                          $"{status.MessagesPerConnection} messages per connection");
        Console.WriteLine($"  queued {status.Queued}; domains: {string.Join(", ", status.Domains)}");
        if (status.Reason.Length > 0)
        {
            Console.WriteLine($"  why: {status.Reason}");
        }

        if (status.ResumeAt is { } resume)
        {
            Console.WriteLine($"  resumes at {resume.ToDateTimeOffset():O}");
        }

        if (status.Policy is { } policy)
        {
            Console.WriteLine($"  policy: rate {(policy.HasMessagesPerSecond ? policy.MessagesPerSecond.ToString("0.##", CultureInfo.InvariantCulture) : "-")}, " +
                              $"connections {(policy.HasMaxConnections ? policy.MaxConnections : "-")}, " +
                              $"per connection {(policy.HasMessagesPerConnection ? policy.MessagesPerConnection : "-")}");
        }

        foreach (var reply in status.LastReplies)
        {
            Console.WriteLine($"  {reply.At.ToDateTimeOffset():O} {reply.Domain} [{reply.Class}] {reply.Reply}");
        }
    }
}
