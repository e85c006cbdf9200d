namespace Orleans.Mail.Delivery.Classification;

/// <summary>One data row of a reply TSV file.</summary>
/// <param name="LineNumber">1-based line number in the file.</param>
/// <param name="StageText">The stage as written in the file.</param>
/// <param name="Stage">The parsed stage.</param>
/// <param name="Reply">The reply with <c>\n</c> escapes turned into line breaks.</param>
/// <param name="Fields">Every column of the row as written, in header order.</param>
public sealed record ReplyTsvRow(int LineNumber, string StageText, SmtpStage Stage, SmtpReply Reply, IReadOnlyList<string> Fields);
