using System.Net;
using System.Net.Sockets;

namespace Orleans.Mail.TestSupport;

/// <summary>
/// Free TCP ports on 127.0.0.1 for the processes a test starts. Taken from 20000–31999, below the kernel's
/// ephemeral range (32768–60999 on Linux), so an outgoing connection of any process can never take a port
/// between the moment it is handed out and the moment its server binds it; handed out in turn, so this test
/// process never gives the same port twice while others are still unused.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Count = 12000;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A port nothing listens on now, not handed out before by this process (until the range wraps).</summary>
    /// <exception cref="InvalidOperationException">Every port of the range is in use.</exception>
    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try the next one.
            }
        }

        throw new InvalidOperationException($"No free TCP port on 127.0.0.1 in {First}-{First + Count - 1}.");
    }

    /// <summary>Waits until something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> WaitOpenAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        return false;
    }
}
