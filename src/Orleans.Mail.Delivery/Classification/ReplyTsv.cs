namespace Orleans.Mail.Delivery.Classification;

/// <summary>
/// The reply TSV format used by operators and the labelled corpus: UTF-8, tab-separated, a header line naming
/// at least the columns <c>stage</c> and <c>reply</c> (any further columns are carried along), one reply per row,
/// a line break inside a multi-line reply written as the two characters <c>\n</c>. Blank lines are ignored.
/// </summary>
public static class ReplyTsv
{
    /// <summary>The header of <see cref="Classify"/>'s output.</summary>
    public const string OutputHeader = "stage\treply\taction\tclass\tsuppress\tthrottle";

    /// <summary>Turns the two characters <c>\n</c> into a line break.</summary>
    public static string Unescape(string field) => field.Replace("\\n", "\n", StringComparison.Ordinal);

    /// <summary>Writes a reply on one line: each line break (CRLF, LF or CR) as <c>\n</c>, a tab as a space.</summary>
    public static string Escape(string reply) =>
        reply.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace('\t', ' ').Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Reads every row; the whole input is checked before anything is returned.</summary>
    /// <returns>The header columns (trimmed) and the rows.</returns>
    /// <exception cref="FormatException">
    /// No header naming <c>stage</c> and <c>reply</c>, a row with too few columns, an unknown stage or a reply that
    /// is not an SMTP reply; the message gives the line number.
    /// </exception>
    public static (IReadOnlyList<string> Header, IReadOnlyList<ReplyTsvRow> Rows) Read(TextReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string[]? header = null;
        int stageColumn = -1, replyColumn = -1, number = 0;
        var rows = new List<ReplyTsvRow>();
        while (input.ReadLine() is { } line)
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var fields = line.TrimEnd('\r').Split('\t');
            if (header is null)
            {
                header = fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToArray();
                stageColumn = Array.FindIndex(header, c => c.Equals("stage", StringComparison.OrdinalIgnoreCase));
                replyColumn = Array.FindIndex(header, c => c.Equals("reply", StringComparison.OrdinalIgnoreCase));
                if (stageColumn < 0 || replyColumn < 0)
                {
                    throw new FormatException($"line {number}: expected a tab-separated header naming the columns 'stage' and 'reply', found '{Shorten(line)}'.");
                }

                continue;
            }

            rows.Add(ReadRow(fields, number, stageColumn, replyColumn));
        }

        return header is null
            ? throw new FormatException("the input is empty: expected a tab-separated header naming the columns 'stage' and 'reply'.")
            : (header, rows);
    }

    /// <summary>
    /// Classifies every row of <paramref name="input"/> and writes <see cref="OutputHeader"/> and one line per row
    /// to <paramref name="output"/>: the stage as given, the reply escaped, action, class, and suppress/throttle
    /// as <c>yes</c>/<c>no</c>, LF line ends. Nothing is written when the input is invalid.
    /// </summary>
    /// <returns>The number of rows classified.</returns>
    /// <exception cref="FormatException">The input is invalid (see <see cref="Read"/>).</exception>
    public static int Classify(TextReader input, TextWriter output, ReplyClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(classifier);
        var (_, rows) = Read(input);
        output.Write(OutputHeader + "\n");
        foreach (var row in rows)
        {
            var c = classifier.Classify(row.Stage, row.Reply);
            output.Write($"{row.StageText}\t{Escape(row.Reply.ToString())}\t{c.Action.ToName()}\t{c.Class}\t{YesNo(c.Suppress)}\t{YesNo(c.Throttle)}\n");
        }

        return rows.Count;
    }

    private static ReplyTsvRow ReadRow(string[] fields, int number, int stageColumn, int replyColumn)
    {
        if (fields.Length <= Math.Max(stageColumn, replyColumn))
        {
            throw new FormatException($"line {number}: expected at least {Math.Max(stageColumn, replyColumn) + 1} tab-separated columns (stage, reply), found {fields.Length}.");
        }

        var stageText = fields[stageColumn].Trim();
        if (!SmtpStages.TryParse(stageText, out var stage))
        {
            throw new FormatException($"line {number}: unknown stage '{stageText}'; expected one of: {string.Join(", ", SmtpStages.Names)}.");
        }

        if (!SmtpReply.TryParse(Unescape(fields[replyColumn]), out var reply))
        {
            throw new FormatException($"line {number}: '{Shorten(fields[replyColumn])}' is not an SMTP reply (expected a three-digit code 200-599 at the start of its last line).");
        }

        return new ReplyTsvRow(number, stageText, stage, reply, fields);
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
