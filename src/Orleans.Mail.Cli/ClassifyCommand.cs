using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Cli;

/// <summary>
/// <c>orleans-mail classify --file FILE.tsv [--rules RULES.tsv]</c>: classifies SMTP replies offline, without a
/// gateway. Reads a TSV whose header names the columns <c>stage</c> and <c>reply</c> (further columns ignored,
/// <c>\n</c> in a reply = line break) and writes to standard output a TSV with the header
/// <c>stage reply action class suppress throttle</c> (tab-separated; suppress/throttle as yes/no). <c>--rules</c>
/// adds an operator rule file, tried before the built-in rules (see <see cref="ReplyRules"/>).
/// </summary>
public static class ClassifyCommand
{
    /// <summary>Runs the command.</summary>
    /// <returns>0 success; 2 bad input (missing file, no stage/reply header, bad row or rule file), message on stderr; 1 output failed.</returns>
    /// <exception cref="ArgumentException"><c>--file</c> is missing (the caller prints usage, exit code 2).</exception>
    public static int Run(CliArguments options)
    {
        var path = options.Required("file");
        if (!File.Exists(path))
        {
            return Fail($"input file '{path}' does not exist.");
        }

        ReplyClassifier classifier;
        try
        {
            classifier = options.Get("rules") is { } rules ? ReplyClassifier.WithRulesFile(rules) : ReplyClassifier.Default;
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            return Fail($"rule file: {ex.Message}");
        }

        // Classify into memory first: bad input produces an error and no partial output.
        var output = new StringWriter();
        try
        {
            using var input = File.OpenText(path);
            ReplyTsv.Classify(input, output, classifier);
        }
        catch (FormatException ex)
        {
            return Fail($"{path}: {ex.Message}");
        }

        try
        {
            using var stdout = Console.OpenStandardOutput();
            using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false));
            writer.Write(output.ToString());
        }
        catch (IOException)
        {
            // The reader went away (e.g. "| head"); nothing useful is left to report.
            return 1;
        }

        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}
