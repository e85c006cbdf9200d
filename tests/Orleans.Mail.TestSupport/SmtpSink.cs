using System.Diagnostics;
using MimeKit;

namespace Orleans.Mail.TestSupport;

/// <summary>One message as Postfix smtp-sink wrote it: the envelope recipients (X-Rcpt-Args) and the message.</summary>
public sealed record ReceivedMessage(IReadOnlyList<string> Recipients, MimeMessage Message, string Path);

/// <summary>
/// A Postfix <c>smtp-sink</c> on 127.0.0.1 writing every transaction to a file; can be stopped and started
/// again on the same port to play a receiver that is down. Counts come from its files, never from ours.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private Process? _process;

    public SmtpSink(int port)
    {
        Port = port;
        Directory = System.IO.Directory.CreateTempSubdirectory("orleans-mail-sink-").FullName;
        // smtp-sink drops root privileges to "nobody", which must be able to write here.
        File.SetUnixFileMode(Directory, (UnixFileMode)0b111_111_111);
    }

    public int Port { get; }

    public string Directory { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<SmtpSink> LaunchAsync(params string[] extraArguments)
    {
        var sink = new SmtpSink(FreePort.Next());
        await sink.StartAsync(extraArguments);
        return sink;
    }

    /// <summary>Starts the receiver (again); <paramref name="extraArguments"/> are smtp-sink options such as <c>-r RCPT</c>.</summary>
    public async Task StartAsync(params string[] extraArguments)
    {
        var binary = File.Exists("/usr/sbin/smtp-sink") ? "/usr/sbin/smtp-sink" : "smtp-sink";
        var arguments = new List<string>();
        if (Environment.UserName == "root")
        {
            arguments.AddRange(["-u", "nobody"]);
        }

        arguments.AddRange(extraArguments);
        arguments.AddRange(["-h", "sink.test", "-d", System.IO.Path.Combine(Directory, "%Y%m%d%H/%M."), $"127.0.0.1:{Port}", "1000"]);
        var info = new ProcessStartInfo(binary, arguments) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        _process = Process.Start(info) ?? throw new InvalidOperationException("smtp-sink did not start.");
        if (!await FreePort.WaitOpenAsync(Port, TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"smtp-sink did not open port {Port}: {await _process.StandardError.ReadToEndAsync()}");
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Every complete message written so far.</summary>
    public IReadOnlyList<ReceivedMessage> ReadMessages()
    {
        var messages = new List<ReceivedMessage>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
        {
            var message = MimeMessage.Load(path);
            var recipients = message.Headers.Where(h => h.Field == "X-Rcpt-Args").Select(h => h.Value.Trim().Split(' ')[0].Trim('<', '>')).ToArray();
            messages.Add(new ReceivedMessage(recipients, message, path));
        }

        return messages;
    }

    /// <summary>How many envelope recipients the receiver has got.</summary>
    public int CountRecipients() =>
        System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Sum(RecipientsIn);

    // smtp-sink may drop a file it had started (an aborted transaction) between the listing and the read.
    private static int RecipientsIn(string path)
    {
        try
        {
            return File.ReadLines(path).TakeWhile(l => l.StartsWith("X-", StringComparison.Ordinal)).Count(l => l.StartsWith("X-Rcpt-Args:", StringComparison.Ordinal));
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder is harmless.
        }
    }
}
