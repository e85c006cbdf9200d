using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

public sealed class MessageDeliveryTests(MailCluster cluster)
{
    [Fact]
    public async Task SendMessage_ToAndCc_DeliveredAndGetMessageShowsServerReply()
    {
        var request = new SendMessageRequest
        {
            From = "Shop <orders@shop.test>",
            Subject = "Your order 4711",
            TextBody = "Thanks for your order.",
        };
        request.To.Add("Ana <ana@tx.example>");
        request.Cc.Add("ben@tx-other.example");
        var sent = await cluster.Messages.SendMessageAsync(request);
        Assert.StartsWith("msg_", sent.Id, StringComparison.Ordinal);

        MessageStatus status;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(250);
            status = await cluster.Messages.GetMessageAsync(new GetMessageRequest { Id = sent.Id });
        }
        while (status.Recipients.Any(r => r.State != MessageState.Delivered) && DateTime.UtcNow < deadline);

        Assert.Equal(["ana@tx.example", "ben@tx-other.example"], status.Recipients.Select(r => r.Address).Order(StringComparer.Ordinal));
        foreach (var recipient in status.Recipients)
        {
            Assert.Equal(MessageState.Delivered, recipient.State);
            var attempt = Assert.Single(recipient.Attempts);
            Assert.Equal("delivered", attempt.Action);
            Assert.Equal(250, attempt.SmtpCode);
            Assert.StartsWith("250 ", attempt.SmtpReply, StringComparison.Ordinal);
            Assert.Equal(cluster.Sink.Endpoint, attempt.MxHost);
            Assert.Equal(("ok", "127.0.0.1", false), (attempt.Class, attempt.RemoteIp, attempt.Tls));
        }

        var received = cluster.Sink.ReadMessages().Where(m => m.Message.Subject == "Your order 4711").ToList();
        Assert.Equal(["ana@tx.example", "ben@tx-other.example"], received.SelectMany(m => m.Recipients).Order(StringComparer.Ordinal));
        Assert.All(received, m => Assert.Equal("ben@tx-other.example", m.Message.Cc.Mailboxes.Single().Address));
    }
}
