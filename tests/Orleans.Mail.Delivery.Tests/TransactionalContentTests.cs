using System.Text.Json;
using Orleans.Mail.Delivery.Composition;

namespace Orleans.Mail.Delivery.Tests;

public sealed class TransactionalContentTests
{
    private static TransactionalContent Sample() => new(
        From: "Shop <shop@shop.example>",
        EnvelopeSender: "bounces@shop.example",
        To: ["Ann <ann@example.com>", "bob@bücher.example"],
        Cc: ["carl@example.org"],
        Subject: "Your order «42»",
        TextBody: "Thanks!\nLine two",
        HtmlBody: "<p>Thanks & bye</p>",
        Headers: [new("X-Order", "42"), new("List-Unsubscribe", "<mailto:u@shop.example>")]);

    [Fact]
    public void FromJson_ToJsonOutput_RoundTripsEveryField()
    {
        var original = Sample();

        var copy = TransactionalContent.FromJson(original.ToJson());

        Assert.Equal(original.From, copy.From);
        Assert.Equal(original.EnvelopeSender, copy.EnvelopeSender);
        Assert.Equal(original.To, copy.To);
        Assert.Equal(original.Cc, copy.Cc);
        Assert.Equal(original.Subject, copy.Subject);
        Assert.Equal(original.TextBody, copy.TextBody);
        Assert.Equal(original.HtmlBody, copy.HtmlBody);
        Assert.Equal(original.Headers, copy.Headers);
    }

    [Fact]
    public void ToJson_Content_UsesCamelCaseNames()
    {
        using var json = JsonDocument.Parse(Sample().ToJson());
        var root = json.RootElement;

        Assert.Equal("bounces@shop.example", root.GetProperty("envelopeSender").GetString());
        Assert.Equal("Shop <shop@shop.example>", root.GetProperty("from").GetString());
        Assert.Equal(2, root.GetProperty("to").GetArrayLength());
        Assert.Equal("carl@example.org", root.GetProperty("cc")[0].GetString());
        Assert.Equal("<p>Thanks & bye</p>", root.GetProperty("htmlBody").GetString());
        Assert.Equal("X-Order", root.GetProperty("headers")[0].GetProperty("key").GetString());
        Assert.Equal("42", root.GetProperty("headers")[0].GetProperty("value").GetString());
    }

    [Fact]
    public void FromJson_EmptyListsAndBodies_RoundTrip()
    {
        var original = new TransactionalContent("a@x.example", "a@x.example", ["b@y.example"], [], "s", "", "", []);

        var copy = TransactionalContent.FromJson(original.ToJson());

        Assert.Empty(copy.Cc);
        Assert.Empty(copy.Headers);
        Assert.Equal("", copy.TextBody);
        Assert.Equal(["b@y.example"], copy.To);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void FromJson_NotStoredContent_ThrowsJsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => TransactionalContent.FromJson(json));
    }

    [Fact]
    public void FromJson_ObjectWithoutFields_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => TransactionalContent.FromJson("{}"));
    }
}
