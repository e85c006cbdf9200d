using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Suppression;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C16 — one-click unsubscribe (RFC 8058, RFC 2369): every campaign message carries <c>List-Unsubscribe</c> with an
/// https URL holding a signed per-recipient token and <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>;
/// transactional messages carry neither.
/// </summary>
public sealed class C16_OneClickUnsubscribeTests
{
    private const string Secret = "c16-secret-c16-secret-c16-secret-c16";
    private const string BaseUrl = "https://unsub.mailer.example.com";
    private static readonly Guid MessageUuid = Guid.Parse("0195f1a2-b3c4-7d5e-8f60-718293a4b5c6");
    private static readonly Guid CampaignUuid = Guid.Parse("0195f1a2-0000-7000-8000-000000000016");

    private static MessageComposer Composer(string baseUrl = BaseUrl) => new(
        Options.Create(new SmtpOptions { MessageIdDomain = "mail.shop.example" }),
        new FakeTimeProvider(new DateTimeOffset(2025, 4, 2, 9, 30, 0, TimeSpan.Zero)),
        Options.Create(new UnsubscribeOptions { BaseUrl = baseUrl, Secret = Secret }));

    private static CampaignContent Campaign(string tenant = "tenant-a", IReadOnlyList<KeyValuePair<string, string>>? headers = null) => new(
        "Shop <news@shop.example>", "bounces@shop.example", "Offer", "Hello {{ email }}", "", headers ?? [], tenant, CampaignUuid);

    private static TransactionalContent Transactional() => new(
        "Shop <orders@shop.example>", "bounces@shop.example", ["ann@example.org"], [], "Your order", "Thanks", "", []);

    private static MimeMessage WireRoundTrip(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream, TestContext.Current.CancellationToken);
        stream.Position = 0;
        return MimeMessage.Load(stream, TestContext.Current.CancellationToken);
    }

    private static string UrlOf(MimeMessage message)
    {
        var value = message.Headers[MessageComposer.ListUnsubscribe]!.Trim();
        Assert.StartsWith("<", value, StringComparison.Ordinal);
        return value[1..value.IndexOf('>', StringComparison.Ordinal)];
    }

    [Fact]
    public void C16_CampaignMessage_BothHeadersWithHttpsUrlOnTheWire()
    {
        var message = WireRoundTrip(Composer().ComposeCampaign(Campaign(), MessageUuid, "user@example.org", null));

        var url = UrlOf(message);
        Assert.Matches($"^{BaseUrl}/u/[A-Za-z0-9_-]+$", url);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers[MessageComposer.ListUnsubscribePost]?.Trim());
        Assert.Single(message.Headers, h => h.Field == MessageComposer.ListUnsubscribe);
        Assert.Single(message.Headers, h => h.Field == MessageComposer.ListUnsubscribePost);
    }

    [Fact]
    public void C16_CampaignMessage_TokenVerifiesAndNamesTenantRecipientCampaign()
    {
        var message = Composer().ComposeCampaign(Campaign(), MessageUuid, "user@example.org", null);

        var token = UrlOf(message)[(BaseUrl.Length + "/u/".Length)..];
        Assert.True(UnsubscribeToken.TryVerify(Secret, token, out var verified));
        Assert.Equal(("tenant-a", "user@example.org", CampaignUuid), (verified.TenantId, verified.Address, verified.CampaignId));
        Assert.False(UnsubscribeToken.TryVerify("a-different-secret-of-32-characters!", token, out _));
    }

    [Fact]
    public void C16_TokenWriter_SameBytesAsAbstractionsToken()
    {
        // The composer writes tokens itself (Delivery does not reference Abstractions); the gateway verifies with UnsubscribeToken.
        Assert.Equal(
            UnsubscribeToken.Create(Secret, "tenant-ü", "leser@bücher.example", CampaignUuid),
            UnsubscribeTokenWriter.Create(Secret, "tenant-ü", "leser@bücher.example", CampaignUuid));
    }

    [Fact]
    public void C16_TwoRecipients_DifferentUrls()
    {
        var composer = Composer();

        Assert.NotEqual(
            UrlOf(composer.ComposeCampaign(Campaign(), MessageUuid, "a@example.org", null)),
            UrlOf(composer.ComposeCampaign(Campaign(), MessageUuid, "b@example.org", null)));
    }

    [Fact]
    public void C16_LongAddress_HeaderNotFoldedOrEncoded()
    {
        var recipient = new string('x', 60) + "@" + new string('y', 60) + ".example.org";

        var smtp = FormatOptions.Default.Clone();
        smtp.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        Composer().ComposeCampaign(Campaign(), MessageUuid, recipient, null).WriteTo(smtp, stream, TestContext.Current.CancellationToken);
        var wire = Encoding.ASCII.GetString(stream.ToArray());

        var line = wire.Split("\r\n").Single(l => l.StartsWith("List-Unsubscribe:", StringComparison.Ordinal));
        Assert.Matches($"^List-Unsubscribe: <{BaseUrl}/u/[A-Za-z0-9_-]+>$", line);
        Assert.Contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", wire, StringComparison.Ordinal);
        Assert.DoesNotMatch("[^\r]\n", wire);
    }

    [Fact]
    public void C16_CampaignWithOwnListUnsubscribe_ReplacedKeepingMailto()
    {
        var content = Campaign(headers:
        [
            new("List-Unsubscribe", "<mailto:unsubscribe@shop.example>, <https://shop.example/old-unsub>"),
            new("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]);

        var message = WireRoundTrip(Composer().ComposeCampaign(content, MessageUuid, "user@example.org", null));

        var value = Assert.Single(message.Headers, h => h.Field == MessageComposer.ListUnsubscribe).Value.Trim();
        Assert.Matches($"^<{BaseUrl}/u/[A-Za-z0-9_-]+>, <mailto:unsubscribe@shop.example>$", value);
        Assert.Single(message.Headers, h => h.Field == MessageComposer.ListUnsubscribePost);
    }

    [Fact]
    public void C16_TransactionalMessage_NoUnsubscribeHeaders()
    {
        var message = WireRoundTrip(Composer().ComposeTransactional(Transactional(), MessageUuid));

        Assert.Null(message.Headers[MessageComposer.ListUnsubscribe]);
        Assert.Null(message.Headers[MessageComposer.ListUnsubscribePost]);
    }

    [Fact]
    public void C16_FeatureOff_NoUnsubscribeHeaders()
    {
        var message = Composer(baseUrl: "").ComposeCampaign(Campaign(), MessageUuid, "user@example.org", null);

        Assert.Null(message.Headers[MessageComposer.ListUnsubscribe]);
        Assert.Null(message.Headers[MessageComposer.ListUnsubscribePost]);
    }

    [Fact]
    public void C16_TenantUnknown_NoUnsubscribeHeaders()
    {
        var message = Composer().ComposeCampaign(Campaign(tenant: ""), MessageUuid, "user@example.org", null);

        Assert.Null(message.Headers[MessageComposer.ListUnsubscribe]);
    }

    [Fact]
    public void C16_ComposerWithoutUnsubscribeOptions_NoHeaders()
    {
        var composer = new MessageComposer(Options.Create(new SmtpOptions()), TimeProvider.System);

        Assert.Null(composer.ComposeCampaign(Campaign(), MessageUuid, "user@example.org", null).Headers[MessageComposer.ListUnsubscribe]);
    }

    [Fact]
    public void C16_BaseUrlWithTrailingSlash_SingleSlash()
    {
        var url = UrlOf(Composer(BaseUrl + "/").ComposeCampaign(Campaign(), MessageUuid, "user@example.org", null));

        Assert.StartsWith(BaseUrl + "/u/", url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "", true)]
    [InlineData("https://unsub.example.com", Secret, true)]
    [InlineData("https://unsub.example.com/mail/", Secret, true)]
    [InlineData("http://unsub.example.com", Secret, false)]
    [InlineData("https://unsub.example.com", "short", false)]
    [InlineData("https://unsub.example.com", "", false)]
    [InlineData("https://unsub.example.com/?a=b", Secret, false)]
    [InlineData("not a url", Secret, false)]
    [InlineData("https://unsub.bücher.example", Secret, false)]
    [InlineData("https://unsub.xn--bcher-kva.example", Secret, true)]
    public void C16_Options_Validation(string baseUrl, string secret, bool valid)
    {
        Assert.Equal(valid, new UnsubscribeOptions { BaseUrl = baseUrl, Secret = secret }.IsValid());
    }
}
