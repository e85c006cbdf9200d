using Microsoft.Extensions.Time.Testing;

namespace Orleans.Mail.Delivery.Tests;

public sealed class MailIdsTests
{
    private static readonly Guid Sample = Guid.Parse("0193a6f0-c2d4-7b2e-9a51-c6d3e4f5a6b7");

    [Fact]
    public void Message_Uuid_FormatsPrefixAndLowerCaseHex()
    {
        Assert.Equal("msg_0193a6f0c2d47b2e9a51c6d3e4f5a6b7", MailIds.Message(Sample));
    }

    [Fact]
    public void Campaign_Uuid_FormatsPrefixAndLowerCaseHex()
    {
        Assert.Equal("cmp_0193a6f0c2d47b2e9a51c6d3e4f5a6b7", MailIds.Campaign(Sample));
    }

    [Fact]
    public void TryParse_FormattedMessageId_RoundTripsUuid()
    {
        var uuid = MailIds.NewUuid(new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero)));

        Assert.True(MailIds.TryParse(MailIds.Message(uuid), MailIds.MessagePrefix, out var parsed));
        Assert.Equal(uuid, parsed);
    }

    [Fact]
    public void TryParse_FormattedCampaignId_RoundTripsUuid()
    {
        Assert.True(MailIds.TryParse(MailIds.Campaign(Sample), MailIds.CampaignPrefix, out var parsed));
        Assert.Equal(Sample, parsed);
    }

    [Fact]
    public void NewUuid_FakeTime_IsVersion7WithTimeInFirst48Bits()
    {
        var at = new DateTimeOffset(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

        var uuid = MailIds.NewUuid(new FakeTimeProvider(at));

        Assert.Equal(7, uuid.Version);
        var millis = Convert.ToInt64(uuid.ToString("N")[..12], 16);
        Assert.Equal(at.ToUnixTimeMilliseconds(), millis);
    }

    [Fact]
    public void NewUuid_IncreasingTimes_IdsSortInTimeOrder()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add(MailIds.Message(MailIds.NewUuid(time)));
            time.Advance(TimeSpan.FromMilliseconds(1 + i * 37));
        }

        var sorted = ids.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(ids, sorted);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void NewUuid_IncreasingTimes_UuidsCompareInTimeOrder()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var first = MailIds.NewUuid(time);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var second = MailIds.NewUuid(time);
        time.Advance(TimeSpan.FromDays(400));
        var third = MailIds.NewUuid(time);

        Assert.True(string.CompareOrdinal(MailIds.Campaign(first), MailIds.Campaign(second)) < 0);
        Assert.True(string.CompareOrdinal(MailIds.Campaign(second), MailIds.Campaign(third)) < 0);
    }

    [Theory]
    [InlineData("cmp_0193a6f0c2d47b2e9a51c6d3e4f5a6b7")]
    [InlineData("MSG_0193a6f0c2d47b2e9a51c6d3e4f5a6b7")]
    [InlineData("msg-0193a6f0c2d47b2e9a51c6d3e4f5a6b7")]
    [InlineData("0193a6f0c2d47b2e9a51c6d3e4f5a6b7")]
    public void TryParse_WrongPrefix_ReturnsFalseAndEmpty(string id)
    {
        Assert.False(MailIds.TryParse(id, MailIds.MessagePrefix, out var uuid));
        Assert.Equal(Guid.Empty, uuid);
    }

    [Theory]
    [InlineData("msg_")]
    [InlineData("msg_0193a6f0c2d47b2e9a51c6d3e4f5a6b")]
    [InlineData("msg_0193a6f0c2d47b2e9a51c6d3e4f5a6b70")]
    [InlineData("msg_0193a6f0-c2d4-7b2e-9a51-c6d3e4f5a6b7")]
    [InlineData("")]
    public void TryParse_WrongLength_ReturnsFalse(string id)
    {
        Assert.False(MailIds.TryParse(id, MailIds.MessagePrefix, out var uuid));
        Assert.Equal(Guid.Empty, uuid);
    }

    [Theory]
    [InlineData("msg_0193a6f0c2d47b2e9a51c6d3e4f5a6bg")]
    [InlineData("msg_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("msg_0193a6f0c2d47b2e9a51c6d3e4f5a6 7")]
    [InlineData("msg_{193a6f0c2d47b2e9a51c6d3e4f5a6b}")]
    public void TryParse_NonHex_ReturnsFalse(string id)
    {
        Assert.False(MailIds.TryParse(id, MailIds.MessagePrefix, out var uuid));
        Assert.Equal(Guid.Empty, uuid);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(MailIds.TryParse(null, MailIds.CampaignPrefix, out var uuid));
        Assert.Equal(Guid.Empty, uuid);
    }
}
