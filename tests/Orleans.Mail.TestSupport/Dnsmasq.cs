using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Mail.TestSupport;

/// <summary>
/// The zone data for a <see cref="Dnsmasq"/>: MX and address records, null MX, NXDOMAIN and timing-out domains.
/// Each name's last label becomes a local zone (<c>local=/example/</c>), so that a known name asked for a type it
/// lacks gets an empty NOERROR answer (NODATA) and an unknown name gets NXDOMAIN; without that, dnsmasq with
/// <c>no-resolv</c> answers REFUSED to anything it cannot answer. Names under no configured label get REFUSED.
/// </summary>
public sealed class DnsmasqConfig
{
    private readonly List<string> _lines = [];
    private readonly SortedSet<string> _zones = new(StringComparer.Ordinal);

    /// <summary><c>DOMAIN MX PREFERENCE HOST</c> (<c>mx-host=</c>).</summary>
    public DnsmasqConfig Mx(string domain, string host, int preference) => Add($"mx-host={domain},{host},{preference}", domain, host);

    /// <summary>A or AAAA records for <paramref name="name"/>, one per address (<c>host-record=</c>).</summary>
    public DnsmasqConfig Host(string name, params string[] addresses) =>
        Add($"host-record={name},{string.Join(',', addresses)}", name);

    /// <summary>A null MX, <c>DOMAIN MX 0 .</c> (RFC 7505).</summary>
    public DnsmasqConfig NullMx(string domain) => Add($"mx-host={domain},.,0", domain);

    /// <summary>A TXT record only: the name exists but has no MX, A or AAAA records.</summary>
    public DnsmasqConfig Txt(string name, string text) => Add($"txt-record={name},\"{text}\"", name);

    /// <summary>NXDOMAIN for the domain and every name under it (<c>address=/DOMAIN/</c>).</summary>
    public DnsmasqConfig NxDomain(string domain) => Add($"address=/{domain}/");

    /// <summary>Queries under the domain are forwarded to 127.0.0.1#9, where nothing answers: the client times out.</summary>
    public DnsmasqConfig Timeout(string domain) => Add($"server=/{domain}/127.0.0.1#9");

    /// <summary>The TTL of every local answer, in seconds (<c>local-ttl=</c>); dnsmasq's default is 0 (not cacheable).</summary>
    public DnsmasqConfig Ttl(int seconds) => Add($"local-ttl={seconds}");

    /// <summary>Any other dnsmasq configuration line.</summary>
    public DnsmasqConfig Line(string line) => Add(line);

    private DnsmasqConfig Add(string line, params string[] names)
    {
        _lines.Add(line);
        foreach (var name in names.Where(n => n != "."))
        {
            _zones.Add(name.TrimEnd('.').Split('.')[^1]);
        }

        return this;
    }

    internal string Render(int port)
    {
        var text = new StringBuilder();
        text.AppendLine($"port={port}");
        text.AppendLine("listen-address=127.0.0.1");
        text.AppendLine("bind-interfaces");
        text.AppendLine("no-resolv");
        text.AppendLine("no-hosts");
        text.AppendLine("no-poll");
        text.AppendLine("keep-in-foreground");
        // No pid file (the default is a system path shared by every instance); log to stderr, which the fixture keeps.
        text.AppendLine("pid-file=");
        text.AppendLine("log-facility=-");
        if (Environment.UserName == "root")
        {
            // As root dnsmasq drops to the "dnsmasq" (or "nobody") user, which may not exist or read our file.
            text.AppendLine("user=root");
        }

        foreach (var zone in _zones)
        {
            text.AppendLine($"local=/{zone}/");
        }

        foreach (var line in _lines)
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }
}

/// <summary>
/// A real <c>dnsmasq</c> (Debian package dnsmasq-base) serving <see cref="DnsmasqConfig"/> on 127.0.0.1 at a free
/// high port, UDP and TCP. <see cref="StartAsync"/> returns once it has answered a query; disposing kills it by PID.
/// </summary>
public sealed class Dnsmasq : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/dnsmasq";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly string _directory;

    private Dnsmasq(Process process, StringBuilder log, string directory, int port)
    {
        _process = process;
        _log = log;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, as <c>Dns:Servers</c> takes it.</summary>
    public string Server => $"127.0.0.1:{Port}";

    /// <summary>What dnsmasq has written to stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts dnsmasq and waits (at most 10 s) until it answers on UDP; tries up to three ports.</summary>
    /// <exception cref="FileNotFoundException">dnsmasq is not installed (<c>apt-get install -y dnsmasq-base</c>).</exception>
    /// <exception cref="TimeoutException">It never answered.</exception>
    public static async Task<Dnsmasq> StartAsync(DnsmasqConfig config, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Binary))
        {
            throw new FileNotFoundException($"{Binary} is missing; install it with: apt-get install -y dnsmasq-base", Binary);
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort.Next();
            var directory = Directory.CreateTempSubdirectory("orleans-mail-dnsmasq-").FullName;
            var file = Path.Combine(directory, "dnsmasq.conf");
            await File.WriteAllTextAsync(file, config.Render(port), cancellationToken);
            var log = new StringBuilder();
            var info = new ProcessStartInfo(Binary, [$"--conf-file={file}"])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(info) ?? throw new InvalidOperationException("dnsmasq did not start.");
            process.ErrorDataReceived += (_, e) => Append(log, e.Data);
            process.OutputDataReceived += (_, e) => Append(log, e.Data);
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var dnsmasq = new Dnsmasq(process, log, directory, port);
            try
            {
                await dnsmasq.WaitReadyAsync(cancellationToken);
                return dnsmasq;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                last = ex;
                await dnsmasq.DisposeAsync();
            }
        }

        throw last!;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }

    /// <summary>Sends a bare DNS query until a reply with the same id comes back (any response code will do).</summary>
    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var server = new IPEndPoint(IPAddress.Loopback, Port);
        var buffer = new byte[4096];
        ushort id = 0x4f4d;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"dnsmasq exited with code {_process.ExitCode}: {Log}");
            }

            id++;
            await socket.SendToAsync(Query(id, "ready.dnsmasq.invalid"), server, cancellationToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                    if (received.ReceivedBytes >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id && (buffer[2] & 0x80) != 0)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer within 200 ms: not listening yet.
            }
            catch (SocketException)
            {
                // ICMP port unreachable before dnsmasq has bound its socket.
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException($"dnsmasq did not answer on 127.0.0.1:{Port} within {ReadyTimeout.TotalSeconds:0} s: {Log}");
    }

    /// <summary>A standard query (RFC 1035 §4.1) for the A record of <paramref name="name"/>, recursion desired.</summary>
    private static byte[] Query(ushort id, string name)
    {
        var packet = new List<byte>();
        packet.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        foreach (var label in name.Split('.'))
        {
            packet.Add((byte)label.Length);
            packet.AddRange(Encoding.ASCII.GetBytes(label));
        }

        packet.AddRange([0, 0, 1, 0, 1]);
        return packet.ToArray();
    }

    /// <summary>Kills the process by its PID (bounded wait) and removes the configuration folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or did not die in time; nothing more to do in a test.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temporary folder is harmless.
            }
        }
    }
}
