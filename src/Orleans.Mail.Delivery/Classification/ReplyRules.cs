namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// Reads rule files: UTF-8, tab-separated, lines starting with <c>#</c> and blank lines ignored, the first other
/// line a header naming the columns in any order — <c>name</c> and <c>class</c> required; <c>stage</c>,
/// <c>code</c>, <c>enhanced</c>, <c>pattern</c> (default <c>*</c>), <c>action</c> (default <c>auto</c>),
/// <c>throttle</c> (<c>yes</c>/<c>no</c>, default <c>no</c>) and <c>suppress</c> (default <c>auto</c>) optional.
/// Column syntax: see <see cref="ReplyRule(string, string, string, string, string, string, string, bool, string)"/>.
/// The built-in rules are the embedded <c>Classification/reply-rules.tsv</c>.
/// </summary>
public static class ReplyRules
{
    /// <summary>The name of the embedded rule file (manifest resource).</summary>
    public const string BuiltInResourceName = "Orleans.Mail.Delivery.Classification.reply-rules.tsv";

    private static readonly Lazy<IReadOnlyList<ReplyRule>> BuiltInRules = new(LoadBuiltIn);

    private static readonly string[] Columns = ["name", "stage", "code", "enhanced", "pattern", "action", "class", "throttle", "suppress"];

    /// <summary>The built-in rules, in file order.</summary>
    public static IReadOnlyList<ReplyRule> BuiltIn => BuiltInRules.Value;

    /// <summary>Reads a rule file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not a valid rule; the message names the file and line.</exception>
    public static IReadOnlyList<ReplyRule> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Rule file '{path}' does not exist.", path);
        }

        return Parse(File.ReadLines(path), path);
    }

    /// <summary>Reads rules from the lines of a rule file (header included).</summary>
    /// <param name="lines">The lines.</param>
    /// <param name="source">A name for error messages (a path, or e.g. <c>extra rules</c>).</param>
    /// <exception cref="FormatException">The header or a rule is invalid; the message names the source and line.</exception>
    public static IReadOnlyList<ReplyRule> Parse(IEnumerable<string> lines, string source)
    {
        var rules = new List<ReplyRule>();
        Dictionary<string, int>? header = null;
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('\t');
            if (header is null)
            {
                header = ReadHeader(fields, source, number);
                continue;
            }

            rules.Add(ReadRule(fields, header, source, number));
        }

        return header is null ? throw new FormatException($"{source}: no header line (expected the columns {string.Join(", ", Columns)}).") : rules;
    }

    private static Dictionary<string, int> ReadHeader(string[] fields, string source, int number)
    {
        var header = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < fields.Length; i++)
        {
            var column = fields[i].Trim().TrimStart('\uFEFF');
            if (!Columns.Contains(column, StringComparer.OrdinalIgnoreCase) || !header.TryAdd(column, i))
            {
                throw new FormatException($"{source}:{number}: header column '{column}' is unknown or repeated; expected some of: {string.Join(", ", Columns)}.");
            }
        }

        if (!header.ContainsKey("name") || !header.ContainsKey("class"))
        {
            throw new FormatException($"{source}:{number}: the header must name at least the columns name and class.");
        }

        return header;
    }

    private static ReplyRule ReadRule(string[] fields, Dictionary<string, int> header, string source, int number)
    {
        string Field(string column, string fallback) =>
            header.TryGetValue(column, out var i) && i < fields.Length && fields[i].Trim().Length > 0 ? fields[i].Trim() : fallback;

        try
        {
            var throttle = Field("throttle", "no").ToLowerInvariant() switch
            {
                "yes" or "true" => true,
                "no" or "false" => false,
                var other => throw new ArgumentException($"throttle '{other}' is not yes or no."),
            };
            return new ReplyRule(
                name: Field("name", string.Empty),
                replyClass: Field("class", string.Empty),
                stage: Field("stage", "*"),
                code: Field("code", "*"),
                enhanced: Field("enhanced", "*"),
                pattern: Field("pattern", "*"),
                action: Field("action", "auto"),
                throttle: throttle,
                suppress: Field("suppress", "auto"));
        }
        catch (ArgumentException ex)
        {
            var message = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new FormatException($"{source}:{number}: {message}", ex);
        }
    }

    private static IReadOnlyList<ReplyRule> LoadBuiltIn()
    {
        using var stream = typeof(ReplyRules).Assembly.GetManifestResourceStream(BuiltInResourceName)
            ?? throw new InvalidOperationException($"The embedded rule file {BuiltInResourceName} is missing from {typeof(ReplyRules).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return Parse(lines, "built-in reply-rules.tsv");
    }
}
