using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Orleans.Mail.Delivery.Composition;

namespace Orleans.Mail.Delivery.Tests.Composition;

/// <summary>
/// A body without Liquid markup is encoded once per campaign; every message must still carry exactly the
/// body the per-recipient path would have rendered, in entities of its own.
/// </summary>
public sealed class StaticCampaignBodyTests
{
    private const string Text = "Grüße aus Köln – offer inside\nSecond line with = sign\n";
    private const string Html = "<p>Grüße aus <b>Köln</b></p>";

    private static readonly MessageComposer Composer =
        new(Options.Create(new SmtpOptions { MessageIdDomain = "ids.example" }), new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero)));

    private static CampaignContent Campaign(string text, string html) =>
        new("Shop <news@shop.example>", "bounces@shop.example", "Hi {{ name }}", text, html, []);

    [Theory]
    [InlineData("Hello {{ name }}", "")]
    [InlineData("Plain", "<p>{% if x %}x{% endif %}</p>")]
    [InlineData("", "")]
    public void TryCreate_LiquidMarkupOrNoBody_Null(string text, string html)
    {
        Assert.Null(StaticCampaignBody.TryCreate(text, html));
        Assert.Null(Campaign(text, html).StaticBody);
    }

    [Theory]
    [InlineData(Text, "")]
    [InlineData("", Html)]
    [InlineData(Text, Html)]
    public void ComposeCampaign_StaticBody_SameDecodedBodyAsTheRenderedPath(string text, string html)
    {
        // "{{ '' }}" renders to nothing: the same body, but through the per-recipient render.
        var rendered = Campaign(text.Length > 0 ? text + "{{ '' }}" : text, html.Length > 0 ? html + "{{ '' }}" : html);
        var encodedOnce = Campaign(text, html);
        Assert.NotNull(encodedOnce.StaticBody);
        Assert.Null(rendered.StaticBody);

        var fromStatic = Reparse(Composer.ComposeCampaign(encodedOnce, Guid.NewGuid(), "ann@example.com", "{\"name\":\"Ann\"}"));
        var fromRender = Reparse(Composer.ComposeCampaign(rendered, Guid.NewGuid(), "ann@example.com", "{\"name\":\"Ann\"}"));

        Assert.Equal("Hi Ann", fromStatic.Subject);
        Assert.Equal(fromRender.Body?.ContentType.MimeType, fromStatic.Body?.ContentType.MimeType);
        Assert.Equal(Lines(fromRender.TextBody), Lines(fromStatic.TextBody));
        Assert.Equal(Lines(fromRender.HtmlBody), Lines(fromStatic.HtmlBody));
        Assert.Equal(text.Length > 0 ? Lines(text) : null, Lines(fromStatic.TextBody));
        Assert.All(fromStatic.BodyParts.OfType<TextPart>(), part => Assert.Equal("utf-8", part.ContentType.Charset));
    }

    [Fact]
    public void ComposeCampaign_TwoMessagesOfOneCampaign_OwnEntitiesOverTheSameBytesEachWritableRepeatedly()
    {
        var campaign = Campaign(Text, Html);
        var first = Composer.ComposeCampaign(campaign, Guid.NewGuid(), "ann@example.com", null);
        var second = Composer.ComposeCampaign(campaign, Guid.NewGuid(), "bob@example.com", null);
        Assert.NotSame(first.Body, second.Body);

        var firstTwice = (Write(first), Write(first));
        var secondBody = Reparse(second).TextBody;

        Assert.Equal(firstTwice.Item1, firstTwice.Item2);
        Assert.Equal(Lines(Text), Lines(secondBody));
        // Non-ASCII text is sent quoted-printable whatever the server offers, chosen once.
        Assert.Contains("Content-Transfer-Encoding: quoted-printable", firstTwice.Item1, StringComparison.Ordinal);
    }

    private static string Write(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.Prepare(EncodingConstraint.SevenBit, 998);
        message.WriteTo(stream);
        return Encoding.ASCII.GetString(stream.ToArray());
    }

    private static MimeMessage Reparse(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.Prepare(EncodingConstraint.SevenBit, 998);
        message.WriteTo(stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    private static string[]? Lines(string? text) => text?.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
