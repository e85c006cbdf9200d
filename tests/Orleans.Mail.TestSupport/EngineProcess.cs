using System.Diagnostics;
using System.Text;

namespace Orleans.Mail.TestSupport;

/// <summary>A silo or gateway run as a real process (<c>dotnet host.dll</c>) with configuration in environment variables.</summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EngineProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/> and waits until <paramref name="readyPort"/> accepts connections.</summary>
    public static async Task<EngineProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment, int readyPort, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var engine = new EngineProcess(process);
        process.OutputDataReceived += (_, e) => engine.Append(e.Data);
        process.ErrorDataReceived += (_, e) => engine.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!await FreePort.WaitOpenAsync(readyPort, timeout))
        {
            var output = engine.Output;
            await engine.DisposeAsync();
            throw new TimeoutException($"{Path.GetFileName(dll)} did not open port {readyPort} in {timeout}:\n{output}");
        }

        return engine;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// SIGTERM, as systemd or an operator stops a service, then waits up to <paramref name="timeout"/> for a graceful
    /// exit; true when it exited in time (else it is killed).
    /// </summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        _ = SendSignal(_process.Id, SigTerm);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
