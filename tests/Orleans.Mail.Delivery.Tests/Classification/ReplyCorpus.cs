using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

/// <summary>The labelled corpus Data/smtp-replies.tsv (copied to the test output), read with the operators' TSV reader.</summary>
internal static class ReplyCorpus
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Classification", "Data", "smtp-replies.tsv");

    /// <summary>Every row with its labels: action, class, suppress, throttle, note.</summary>
    public static IReadOnlyList<LabelledReply> Load()
    {
        using var reader = File.OpenText(Path);
        var (header, rows) = ReplyTsv.Read(reader);
        int Column(string name) => header.ToList().FindIndex(c => c == name) is var i and >= 0 ? i : throw new InvalidOperationException($"corpus has no column {name}");
        int action = Column("action"), cls = Column("class"), suppress = Column("suppress"), throttle = Column("throttle"), note = Column("note");
        return rows.Select(row => new LabelledReply(
            row,
            row.Fields[action],
            row.Fields[cls],
            row.Fields[suppress] == "yes",
            row.Fields[throttle] == "yes",
            row.Fields[note])).ToArray();
    }
}

internal sealed record LabelledReply(ReplyTsvRow Row, string Action, string Class, bool Suppress, bool Throttle, string Note);
