using System.Text;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Delivery.Tests.Smtp;

/// <summary>
/// The tracker must see the final dot (CRLF.CRLF) however the client's writes split it, and only when it
/// ends what was written; a server reply ends the uncertain window.
/// </summary>
public sealed class FinalDotTrackerTests
{
    private static readonly byte[] Body = Encoding.ASCII.GetBytes("Subject: x\r\n\r\nline one\r\n..dot-stuffed\r\n.\r\n");

    [Fact]
    public void LogClient_BodyEndingInFinalDot_SplitIntoTwoOrThreeWritesAnywhere_AwaitingFinalReply()
    {
        for (var first = 0; first <= Body.Length; first++)
        {
            for (var second = first; second <= Body.Length; second++)
            {
                var tracker = new FinalDotTracker();
                tracker.LogClient(Body, 0, first);
                tracker.LogClient(Body, first, second - first);
                tracker.LogClient(Body, second, Body.Length - second);
                Assert.True(tracker.AwaitingFinalReply, $"split at {first} and {second}");
            }
        }
    }

    [Theory]
    [InlineData("RCPT TO:<a@example.org>\r\n")]
    [InlineData("line\r\n.\r\nmore\r\n")]
    [InlineData("\n.\r\n")]
    [InlineData(".\r\n")]
    public void LogClient_NoFinalDotAtTheEnd_NotAwaiting(string written)
    {
        var bytes = Encoding.ASCII.GetBytes(written);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var tracker = new FinalDotTracker();
            tracker.LogClient(bytes, 0, split);
            tracker.LogClient(bytes, split, bytes.Length - split);
            Assert.False(tracker.AwaitingFinalReply, $"split at {split}");
        }
    }

    [Fact]
    public void LogClient_DotByteByByteAfterLongWrite_ThenServerReply_WindowOpensAndCloses()
    {
        var tracker = new FinalDotTracker();
        var body = Encoding.ASCII.GetBytes(new string('x', 100_000) + "\r\n");
        tracker.LogClient(body, 0, body.Length);
        foreach (var b in ".\r\n"u8.ToArray())
        {
            Assert.False(tracker.AwaitingFinalReply);
            tracker.LogClient([b], 0, 1);
        }

        Assert.True(tracker.AwaitingFinalReply);
        tracker.LogServer("250 ok\r\n"u8.ToArray(), 0, 8);
        Assert.False(tracker.AwaitingFinalReply);
    }
}
