using System.Text.Encodings.Web;
using Fluid;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>Parses Liquid templates (Fluid) once; the parsed templates render concurrently.</summary>
public static class LiquidTemplates
{
    private static readonly FluidParser Parser = new();
    /// <summary>
    /// Most statements one render may execute. A template is data from the caller: without a bound a loop
    /// such as <c>{% for i in (1..100000000) %}</c> would hold a delivery worker for minutes. Reaching it
    /// fails that message's render (it bounces) and nothing else.
    /// </summary>
    public const int MaxSteps = 200_000;

    private static readonly TemplateOptions Options = new() { MaxSteps = MaxSteps, MaxRecursion = 20 };

    /// <summary>Parses <paramref name="source"/>; false with a message (line and column) on a syntax error.</summary>
    public static bool TryParse(string source, out IFluidTemplate? template, out string? error)
    {
        if (Parser.TryParse(source, out var parsed, out var message))
        {
            template = parsed;
            error = null;
            return true;
        }

        template = null;
        error = message;
        return false;
    }

    /// <summary>Parses a template known to be valid (checked at campaign creation).</summary>
    /// <exception cref="FormatException">The template has a syntax error.</exception>
    public static IFluidTemplate Parse(string source) =>
        TryParse(source, out var template, out var error) ? template! : throw new FormatException(error);

    /// <summary>
    /// Renders with the recipient's variables and <c>email</c> in scope. With <paramref name="html"/> values
    /// are HTML-encoded (use the <c>raw</c> filter for markup); otherwise they are inserted as they are.
    /// </summary>
    public static string Render(IFluidTemplate template, string email, IReadOnlyDictionary<string, string> variables, bool html)
    {
        var context = new TemplateContext(Options);
        foreach (var (name, value) in variables)
        {
            context.SetValue(name, value);
        }

        context.SetValue("email", email);
        return html ? template.Render(context, HtmlEncoder.Default) : template.Render(context, NullEncoder.Default);
    }
}
