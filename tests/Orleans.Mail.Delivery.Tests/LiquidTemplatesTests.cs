using Orleans.Mail.Delivery.Composition;

namespace Orleans.Mail.Delivery.Tests;

public sealed class LiquidTemplatesTests
{
    private static readonly Dictionary<string, string> NoVariables = [];

    [Fact]
    public void TryParse_ValidTemplate_ReturnsTemplateAndNoError()
    {
        Assert.True(LiquidTemplates.TryParse("Hello {{ name }}", out var template, out var error));
        Assert.NotNull(template);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("Hello {{ name ")]
    [InlineData("{% if x %}unterminated")]
    [InlineData("{% for %}{% endfor %}")]
    public void TryParse_SyntaxError_ReturnsFalseWithMessage(string source)
    {
        Assert.False(LiquidTemplates.TryParse(source, out var template, out var error));
        Assert.Null(template);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Parse_SyntaxError_ThrowsFormatExceptionWithParserMessage()
    {
        LiquidTemplates.TryParse("{{ broken", out _, out var error);

        var ex = Assert.Throws<FormatException>(() => LiquidTemplates.Parse("{{ broken"));

        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void Render_VariablesAndEmail_SubstitutesBoth()
    {
        var template = LiquidTemplates.Parse("Dear {{ first }} {{ last }} ({{ email }})");
        var variables = new Dictionary<string, string> { ["first"] = "Ann", ["last"] = "Lee" };

        var text = LiquidTemplates.Render(template, "ann@example.com", variables, html: false);

        Assert.Equal("Dear Ann Lee (ann@example.com)", text);
    }

    [Fact]
    public void Render_UnknownVariable_RendersEmpty()
    {
        var template = LiquidTemplates.Parse("[{{ missing }}]");

        Assert.Equal("[]", LiquidTemplates.Render(template, "a@b.example", NoVariables, html: false));
    }

    [Fact]
    public void Render_VariableNamedEmail_RecipientAddressWins()
    {
        var template = LiquidTemplates.Parse("{{ email }}");
        var variables = new Dictionary<string, string> { ["email"] = "spoof@evil.example" };

        Assert.Equal("real@example.com", LiquidTemplates.Render(template, "real@example.com", variables, html: false));
    }

    [Fact]
    public void Render_HtmlMode_EncodesValuesButNotTemplateMarkup()
    {
        var template = LiquidTemplates.Parse("<p class=\"x\">Hi {{ name }}</p>");
        var variables = new Dictionary<string, string> { ["name"] = "<b>Tom & \"Jerry\"</b>" };

        var html = LiquidTemplates.Render(template, "t@example.com", variables, html: true);

        Assert.Equal("<p class=\"x\">Hi &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p>", html);
    }

    [Fact]
    public void Render_HtmlModeRawFilter_InsertsValueUnencoded()
    {
        var template = LiquidTemplates.Parse("<div>{{ banner | raw }}</div>");
        var variables = new Dictionary<string, string> { ["banner"] = "<img src=\"a.png\">" };

        Assert.Equal("<div><img src=\"a.png\"></div>", LiquidTemplates.Render(template, "t@example.com", variables, html: true));
    }

    [Fact]
    public void Render_TextMode_InsertsValuesAsTheyAre()
    {
        var template = LiquidTemplates.Parse("Hi {{ name }}");
        var variables = new Dictionary<string, string> { ["name"] = "<b>Tom & \"Jerry\"</b>" };

        Assert.Equal("Hi <b>Tom & \"Jerry\"</b>", LiquidTemplates.Render(template, "t@example.com", variables, html: false));
    }

    [Fact]
    public void Render_HtmlModeEmail_IsEncoded()
    {
        var template = LiquidTemplates.Parse("<a href=\"mailto:{{ email }}\">{{ email }}</a>");

        var html = LiquidTemplates.Render(template, "a<b>@example.com", NoVariables, html: true);

        Assert.Equal("<a href=\"mailto:a&lt;b&gt;@example.com\">a&lt;b&gt;@example.com</a>", html);
    }

    [Fact]
    public void Render_SameTemplateTwice_RendersEachRecipientIndependently()
    {
        var template = LiquidTemplates.Parse("{{ name }}");

        var first = LiquidTemplates.Render(template, "a@example.com", new Dictionary<string, string> { ["name"] = "A" }, html: false);
        var second = LiquidTemplates.Render(template, "b@example.com", NoVariables, html: false);

        Assert.Equal("A", first);
        Assert.Equal("", second);
    }

    [Fact]
    public void Render_LiquidFilters_Apply()
    {
        var template = LiquidTemplates.Parse("{{ name | upcase }}{% if vip == 'yes' %}!{% endif %}");
        var variables = new Dictionary<string, string> { ["name"] = "ann", ["vip"] = "yes" };

        Assert.Equal("ANN!", LiquidTemplates.Render(template, "a@example.com", variables, html: false));
    }

    [Fact]
    public void Render_LoopBeyondStepLimit_ThrowsInsteadOfRunningOn()
    {
        // A million steps in nested loops; each range alone is small, so nothing large is allocated.
        var template = LiquidTemplates.Parse("{% for i in (1..1000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.ThrowsAny<Exception>(() => LiquidTemplates.Render(template, "a@example.com", NoVariables, html: false));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Render_LoopWithinStepLimit_Renders()
    {
        var template = LiquidTemplates.Parse("{% for i in (1..1000) %}x{% endfor %}");

        Assert.Equal(new string('x', 1000), LiquidTemplates.Render(template, "a@example.com", NoVariables, html: false));
    }
}
