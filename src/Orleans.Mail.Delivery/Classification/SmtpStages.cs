namespace Orleans.Mail.Delivery.Classification;

/// <summary>Text forms of <see cref="SmtpStage"/>, as written in reply corpora and rule files.</summary>
public static class SmtpStages
{
    private static readonly Dictionary<string, SmtpStage> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["any"] = SmtpStage.Any,
        ["*"] = SmtpStage.Any,
        [""] = SmtpStage.Any,
        ["connect"] = SmtpStage.Connect,
        ["greeting"] = SmtpStage.Connect,
        ["banner"] = SmtpStage.Connect,
        ["ehlo"] = SmtpStage.Ehlo,
        ["helo"] = SmtpStage.Ehlo,
        ["lhlo"] = SmtpStage.Ehlo,
        ["starttls"] = SmtpStage.StartTls,
        ["tls"] = SmtpStage.StartTls,
        ["auth"] = SmtpStage.Auth,
        ["mail"] = SmtpStage.Mail,
        ["mail-from"] = SmtpStage.Mail,
        ["rcpt"] = SmtpStage.Rcpt,
        ["rcpt-to"] = SmtpStage.Rcpt,
        ["data"] = SmtpStage.Data,
        ["dot"] = SmtpStage.Dot,
        ["end-of-data"] = SmtpStage.Dot,
        ["eod"] = SmtpStage.Dot,
    };

    /// <summary>The canonical names, one per stage, in declaration order: <c>any, connect, ehlo, …, dot</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<SmtpStage>().Select(ToName).ToArray();

    /// <summary>The canonical lower-case name of a stage (<c>connect</c>, <c>rcpt</c>, <c>dot</c>, …).</summary>
    public static string ToName(this SmtpStage stage) => stage switch
    {
        SmtpStage.StartTls => "starttls",
        _ => stage.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Reads a stage name: a canonical name or an alias listed on <see cref="SmtpStage"/>, case-insensitive,
    /// surrounding white space ignored; empty means <see cref="SmtpStage.Any"/>.
    /// </summary>
    /// <returns>False when the text names no stage.</returns>
    public static bool TryParse(string? text, out SmtpStage stage)
    {
        stage = SmtpStage.Any;
        return text is not null && ByName.TryGetValue(text.Trim(), out stage);
    }

    /// <summary>Reads a stage name like <see cref="TryParse(string?, out SmtpStage)"/>.</summary>
    /// <exception cref="FormatException">The text names no stage; the message lists the canonical names.</exception>
    public static SmtpStage Parse(string? text) =>
        TryParse(text, out var stage)
            ? stage
            : throw new FormatException($"Unknown SMTP stage '{text}'; expected one of: {string.Join(", ", Names)}.");
}
