using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Delivery.Dkim;
using Orleans.Mail.Delivery.Tests.Dkim;

namespace Orleans.Mail.Delivery.Tests.SmtpCases;

/// <summary>
/// C14 — bulk-sender authentication: messages carry a DKIM d= equal to the From domain or its organizational domain,
/// checked with MimeKit's verifier and an in-memory key locator; keys come from the <c>Dkim</c> section.
/// </summary>
public sealed class C14_DkimAlignmentTests
{
    private static readonly Guid MessageUuid = Guid.Parse("0195f1a2-b3c4-7d5e-8f60-718293a4b514");

    private static DkimTestKey Key => DkimTestKey.Shared;

    [Theory]
    [InlineData("news@shop.example", "shop.example")]
    [InlineData("news@mail.shop.example", "shop.example")]
    [InlineData("News <news@bulk.mail.shop.example>", "shop.example")]
    public void C14_FromDomainOrSubdomain_DAlignedWithFromAndVerifies(string from, string expectedD)
    {
        var composer = DkimMessageSignerTests.Composer(Key.Signer("shop.example"));
        var message = composer.ComposeCampaign(DkimMessageSignerTests.Campaign(from: from), MessageUuid, "ann@example.org", null);

        var (received, _) = DkimMessageSignerTests.WireRoundTrip(message);
        var fromDomain = received.From.Mailboxes.Single().Domain;
        var d = DkimTags.Of(received)["d"];
        Assert.Equal(expectedD, d);
        Assert.True(fromDomain == d || fromDomain.EndsWith("." + d, StringComparison.Ordinal));
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void C14_KeysFromConfiguration_AddMailDeliveryComposerSigns()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Dkim:Keys:0:Domain"] = "shop.example",
            ["Dkim:Keys:0:Selector"] = "s2025",
            ["Dkim:Keys:0:PrivateKeyPath"] = Key.PrivateKeyPath,
            ["Dkim:RequireForCampaigns"] = "true",
            ["Smtp:MessageIdDomain"] = "mail.shop.example",
        });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<DkimOptions>>().Value;
        Assert.True(options.RequireForCampaigns);
        Assert.Equal("s2025", Assert.Single(options.Keys).Selector);
        var message = provider.GetRequiredService<MessageComposer>().ComposeCampaign(
            DkimMessageSignerTests.Campaign(), MessageUuid, "ann@example.org", null);
        var (received, _) = DkimMessageSignerTests.WireRoundTrip(message);
        Assert.Equal(("shop.example", "s2025"), (DkimTags.Of(received)["d"], DkimTags.Of(received)["s"]));
        Assert.True(Key.Verify(received));
    }

    [Fact]
    public void C14_UnreadableKeyFile_StartupValidationFails()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Dkim:Keys:0:Domain"] = "shop.example",
            ["Dkim:Keys:0:Selector"] = "s2025",
            ["Dkim:Keys:0:PrivateKeyPath"] = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.pem"),
        });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Dkim:Keys:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void C14_NoDkimSection_NothingSigned()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Smtp:MessageIdDomain"] = "mail.shop.example" });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var message = provider.GetRequiredService<MessageComposer>().ComposeCampaign(
            DkimMessageSignerTests.Campaign(), MessageUuid, "ann@example.org", null);
        Assert.Null(message.Headers[HeaderId.DkimSignature]);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddMailDelivery();
        return services.BuildServiceProvider();
    }
}
