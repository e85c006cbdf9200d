namespace Orleans.Mail.Storage.Tests;

public sealed class SuppressionKeyTests
{
    [Theory]
    [InlineData("ana@bücher.example")]
    [InlineData("Ana@BÜCHER.example")]
    [InlineData("ana@xn--bcher-kva.example")]
    [InlineData("ANA@XN--BCHER-KVA.EXAMPLE")]
    [InlineData("  ana@bücher.example. ")]
    public void Key_EverySpellingOfOneMailbox_SameAlabelKey(string address) =>
        Assert.Equal("ana@xn--bcher-kva.example", SuppressionStore.Key(address));

    [Fact]
    public void Key_DecomposedAndComposedLocalPart_SameKey() =>
        Assert.Equal(SuppressionStore.Key("jose\u0301@example.org"), SuppressionStore.Key("jos\u00e9@example.org"));

    [Fact]
    public void Key_DifferentMailboxes_DifferentKeys() =>
        Assert.NotEqual(SuppressionStore.Key("ana@bücher.example"), SuppressionStore.Key("ana@bucher.example"));

    [Fact]
    public void Key_InvalidDomain_LowerCasedNotThrown() =>
        Assert.Equal("a@bad_domain!", SuppressionStore.Key("A@Bad_Domain!"));
}
