using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Mail.TestSupport;

/// <summary>
/// A scripted SMTP server over raw TCP on 127.0.0.1 (fake F4 of the SMTP case catalogue): each accepted
/// connection is handed to a script that writes exact bytes and reads the client's lines, for behaviour
/// the SmtpServer package and smtp-sink cannot express (multi-line greeting, 421 in the middle of the
/// body, STARTTLS accepted then garbage, silence after the final dot). Every connection's transcript is kept.
/// </summary>
public sealed class RawSmtpFake : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<RawSmtpConnection, Task> _script;
    private readonly ConcurrentQueue<RawSmtpConnection> _connections = new();
    private readonly ConcurrentBag<Task> _sessions = [];
    private readonly Task _accepting;

    private RawSmtpFake(Func<RawSmtpConnection, Task> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Connections accepted so far, in order.</summary>
    public IReadOnlyList<RawSmtpConnection> Connections => _connections.ToArray();

    /// <summary>Starts listening; <paramref name="script"/> runs once per connection (its index is <see cref="RawSmtpConnection.Index"/>).</summary>
    public static RawSmtpFake Start(Func<RawSmtpConnection, Task> script) => new(script);

    private async Task AcceptAsync()
    {
        var index = 0;
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = new RawSmtpConnection(socket, index++, _stop.Token);
            _connections.Enqueue(connection);
            _sessions.Add(RunAsync(connection));
        }
    }

    private async Task RunAsync(RawSmtpConnection connection)
    {
        try
        {
            await _script(connection);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            connection.Failure = ex;
        }
        finally
        {
            connection.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var connection in _connections)
        {
            connection.Close();
        }

        await Task.WhenAll(_sessions).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}

/// <summary>One accepted connection of a <see cref="RawSmtpFake"/>: byte-exact writes, line reads, and the transcript.</summary>
public sealed class RawSmtpConnection
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private readonly Socket _socket;
    private readonly CancellationToken _stop;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly ConcurrentQueue<byte[]> _data = new();

    internal RawSmtpConnection(Socket socket, int index, CancellationToken stop)
    {
        _socket = socket;
        Index = index;
        _stop = stop;
    }

    /// <summary>0 for the first connection accepted, then 1, 2, …</summary>
    public int Index { get; }

    /// <summary>Every command line the client sent (without CRLF, decoded as UTF-8), in order.</summary>
    public IReadOnlyList<string> Commands => _commands.ToArray();

    /// <summary>The raw bytes of each DATA section read with <see cref="ReadDataAsync"/> (dot-stuffed as on the wire, without the final dot line).</summary>
    public IReadOnlyList<byte[]> Data => _data.ToArray();

    /// <summary>The exception that ended the script, if any (e.g. the client closed the connection).</summary>
    public Exception? Failure { get; internal set; }

    /// <summary>Writes <paramref name="text"/> exactly as given (include the CRLFs).</summary>
    public async Task WriteAsync(string text) => await WriteAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> exactly as given.</summary>
    public async Task WriteAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None, _stop);

    /// <summary>True when the client has sent bytes that were not read yet (or sends some within <paramref name="wait"/>).</summary>
    public bool ClientHasSent(TimeSpan wait) =>
        _end > _start || _socket.Poll((int)wait.TotalMicroseconds, SelectMode.SelectRead) && _socket.Available > 0;

    /// <summary>Reads one line up to LF and records it as a command; null when the client closed the connection.</summary>
    /// <exception cref="TimeoutException">No complete line within 15 s.</exception>
    public async Task<string?> ReadCommandAsync()
    {
        var line = await ReadLineBytesAsync();
        if (line is null)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
        _commands.Enqueue(text);
        return text;
    }

    /// <summary>Reads a DATA section up to and including the final <c>.CRLF</c> line and records it; null when the connection closed first.</summary>
    public async Task<byte[]?> ReadDataAsync()
    {
        using var data = new MemoryStream();
        while (true)
        {
            var line = await ReadLineBytesAsync();
            if (line is null)
            {
                return null;
            }

            if (line.AsSpan().SequenceEqual(".\r\n"u8))
            {
                var bytes = data.ToArray();
                _data.Enqueue(bytes);
                return bytes;
            }

            data.Write(line);
        }
    }

    /// <summary>Reads and discards at least <paramref name="count"/> bytes (or until the client closes).</summary>
    public async Task SkipAsync(int count)
    {
        var skipped = 0;
        while (skipped < count)
        {
            if (_end == _start && !await FillAsync())
            {
                return;
            }

            var take = Math.Min(count - skipped, _end - _start);
            _start += take;
            skipped += take;
        }
    }

    /// <summary>
    /// Plays a well-behaved server until QUIT or the client closes: EHLO/HELO → <paramref name="ehloReply"/>,
    /// MAIL/RCPT/RSET/NOOP → 250, DATA → 354, the message → 250, QUIT → 221. No greeting is written here.
    /// <paramref name="intercept"/>, when given, sees every command first: it returns true when it answered
    /// the command itself and the session should end there.
    /// </summary>
    public async Task ServeAsync(string ehloReply, Func<string, Task<bool>>? intercept = null)
    {
        while (await ReadCommandAsync() is { } command)
        {
            if (intercept is not null && await intercept(command))
            {
                return;
            }

            var verb = command.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await WriteAsync(ehloReply);
                    break;
                case "DATA":
                    await WriteAsync("354 End data with <CR><LF>.<CR><LF>\r\n");
                    if (await ReadDataAsync() is null)
                    {
                        return;
                    }

                    await WriteAsync("250 2.0.0 Ok: queued\r\n");
                    break;
                case "QUIT":
                    await WriteAsync("221 2.0.0 Bye\r\n");
                    return;
                default:
                    await WriteAsync("250 2.0.0 Ok\r\n");
                    break;
            }
        }
    }

    /// <summary>Closes the connection (idempotent).</summary>
    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }

        _socket.Dispose();
    }

    private async Task<byte[]?> ReadLineBytesAsync()
    {
        using var line = new MemoryStream();
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                line.Write(_buffer, _start, newline + 1 - _start);
                _start = newline + 1;
                return line.ToArray();
            }

            line.Write(_buffer, _start, _end - _start);
            _start = _end;
            if (!await FillAsync())
            {
                return null;
            }
        }
    }

    private async Task<bool> FillAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        timeout.CancelAfter(ReadTimeout);
        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            throw new TimeoutException("The client sent nothing for 15 s.");
        }

        _start = 0;
        _end = read;
        return read > 0;
    }
}
