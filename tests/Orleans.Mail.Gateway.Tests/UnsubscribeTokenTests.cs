using System.Buffers.Text;
using Orleans.Mail.Suppression;

namespace Orleans.Mail.Gateway.Tests;

public sealed class UnsubscribeTokenTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-secret";
    private static readonly Guid Campaign = Guid.Parse("0195f1a2-b3c4-7d5e-8f60-718293a4b5c6");

    [Fact]
    public void CreateThenTryVerify_SameSecret_ReturnsTenantAddressAndCampaign()
    {
        var token = UnsubscribeToken.Create(Secret, "tenant-a", "Ann.Lee@example.org", Campaign);

        Assert.True(UnsubscribeToken.TryVerify(Secret, token, out var verified));
        Assert.Equal(("tenant-a", "Ann.Lee@example.org", Campaign), (verified.TenantId, verified.Address, verified.CampaignId));
    }

    [Fact]
    public void Create_NonAsciiAddress_RoundTripsAndIsUrlSafe()
    {
        var token = UnsubscribeToken.Create(Secret, "tenant-ü", "leser@bücher.example", Campaign);

        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(UnsubscribeToken.TryVerify(Secret, token, out var verified));
        Assert.Equal(("tenant-ü", "leser@bücher.example"), (verified.TenantId, verified.Address));
    }

    [Fact]
    public void Create_DifferentRecipients_DifferentTokens()
    {
        Assert.NotEqual(
            UnsubscribeToken.Create(Secret, "tenant-a", "a@example.org", Campaign),
            UnsubscribeToken.Create(Secret, "tenant-a", "b@example.org", Campaign));
    }

    [Fact]
    public void TryVerify_WrongSecret_False()
    {
        var token = UnsubscribeToken.Create(Secret, "tenant-a", "ann@example.org", Campaign);

        Assert.False(UnsubscribeToken.TryVerify("another-secret-of-at-least-32-characters", token, out var verified));
        Assert.Null(verified);
    }

    [Fact]
    public void TryVerify_AddressChangedInPayload_False()
    {
        var bytes = Base64Url.DecodeFromChars(UnsubscribeToken.Create(Secret, "tenant-a", "ann@example.org", Campaign));
        var at = Array.IndexOf(bytes, (byte)'a', 1 + 2 + "tenant-a".Length + 2);
        bytes[at] = (byte)'b'; // ann@ → bnn@, MAC unchanged

        Assert.False(UnsubscribeToken.TryVerify(Secret, Base64Url.EncodeToString(bytes), out _));
    }

    [Fact]
    public void TryVerify_MacBitFlipped_False()
    {
        var bytes = Base64Url.DecodeFromChars(UnsubscribeToken.Create(Secret, "tenant-a", "ann@example.org", Campaign));
        bytes[^1] ^= 1;

        Assert.False(UnsubscribeToken.TryVerify(Secret, Base64Url.EncodeToString(bytes), out _));
    }

    [Fact]
    public void TryVerify_ForgedWithOtherKey_False()
    {
        var forged = UnsubscribeToken.Create("attacker-secret-attacker-secret-attacker", "tenant-a", "victim@example.org", Campaign);

        Assert.False(UnsubscribeToken.TryVerify(Secret, forged, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("not base64 !")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryVerify_Garbage_FalseWithoutThrowing(string token)
    {
        Assert.False(UnsubscribeToken.TryVerify(Secret, token, out _));
    }

    [Fact]
    public void TryVerify_Truncated_False()
    {
        var token = UnsubscribeToken.Create(Secret, "tenant-a", "ann@example.org", Campaign);

        Assert.False(UnsubscribeToken.TryVerify(Secret, token[..^4], out _));
    }

    [Fact]
    public void TryVerify_TooLong_False()
    {
        Assert.False(UnsubscribeToken.TryVerify(Secret, new string('A', UnsubscribeToken.MaxTokenLength + 4), out _));
    }

    [Fact]
    public void TryVerify_ShortOrMissingSecret_False()
    {
        var token = UnsubscribeToken.Create(Secret, "tenant-a", "ann@example.org", Campaign);

        Assert.False(UnsubscribeToken.TryVerify("short", token, out _));
        Assert.False(UnsubscribeToken.TryVerify(null, token, out _));
    }

    [Fact]
    public void Create_ShortSecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => UnsubscribeToken.Create("too-short", "tenant-a", "ann@example.org", Campaign));
    }

    [Fact]
    public void Create_EmptyTenant_Throws()
    {
        Assert.Throws<ArgumentException>(() => UnsubscribeToken.Create(Secret, "", "ann@example.org", Campaign));
    }
}
