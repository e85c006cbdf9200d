using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

/// <summary>
/// The path behind <c>orleans-mail classify</c> and <c>scripts/classify.sh</c>: <see cref="ReplyTsv.Classify"/>
/// reading a TSV file and writing the classified TSV.
/// </summary>
public sealed class ReplyTsvTests
{
    private static readonly string[] YesNo = ["yes", "no"];

    private static (int Rows, string[] Lines) Run(string input)
    {
        var output = new StringWriter();
        var rows = ReplyTsv.Classify(new StringReader(input), output, ReplyClassifier.Default);
        return (rows, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Classify_CorpusFile_WritesOneClassifiedLinePerRowAgreeingWithTheLabels()
    {
        var corpus = ReplyCorpus.Load();
        var output = new StringWriter();

        using (var input = File.OpenText(ReplyCorpus.Path))
        {
            Assert.Equal(corpus.Count, ReplyTsv.Classify(input, output, ReplyClassifier.Default));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var originals = File.ReadAllLines(ReplyCorpus.Path).Skip(1).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(ReplyTsv.OutputHeader, lines[0]);
        Assert.Equal(corpus.Count, lines.Length - 1);
        var agree = 0;
        for (var i = 0; i < corpus.Count; i++)
        {
            var columns = lines[i + 1].Split('\t');
            Assert.Equal(6, columns.Length);
            Assert.Equal(originals[i][0], columns[0]); // stage as given
            Assert.Equal(originals[i][1], columns[1]); // reply written back with \n escapes
            var expected = corpus[i];
            agree += columns[2] == expected.Action && columns[3] == expected.Class ? 1 : 0;
            Assert.Contains(columns[4], YesNo);
            Assert.Contains(columns[5], YesNo);
        }

        var message = $"classify output agrees with the labels on action and class for {agree}/{corpus.Count} rows";
        TestContext.Current.TestOutputHelper?.WriteLine(message);
        Assert.True(agree >= corpus.Count * 0.95, message);
    }

    [Fact]
    public void Classify_ExtraColumnsAndEscapedLineBreaks_WritesSixColumns()
    {
        var (rows, lines) = Run("stage\treply\tcomment\nrcpt\t550-5.1.1 No such user\\n550 5.1.1 see https://example.net/help\tfrom a log\n\ndot\t250 ok\n");

        Assert.Equal(2, rows);
        Assert.Equal(
            [
                "stage\treply\taction\tclass\tsuppress\tthrottle",
                "rcpt\t550-5.1.1 No such user\\n550 5.1.1 see https://example.net/help\tbounce\tinvalid-recipient\tyes\tno",
                "dot\t250 ok\tdelivered\tok\tno\tno",
            ],
            lines);
    }

    [Fact]
    public void Classify_ColumnsInAnotherOrder_FindsThemByHeaderName()
    {
        var (_, lines) = Run("reply\tstage\n421 4.7.0 [TSS04] deferred due to user complaints\tmail\n");

        Assert.Equal("mail\t421 4.7.0 [TSS04] deferred due to user complaints\tdefer\trate-limit\tno\tyes", lines[1]);
    }

    [Fact]
    public void Classify_HeaderOnly_WritesHeaderOnly()
    {
        Assert.Equal([ReplyTsv.OutputHeader], Run("stage\treply\n").Lines);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("rcpt\t550 5.1.1 user unknown\n", "'stage' and 'reply'")]
    [InlineData("stage\tresponse\nrcpt\t550 x\n", "'stage' and 'reply'")]
    [InlineData("stage\treply\nrcpt\n", "line 2")]
    [InlineData("stage\treply\nquit\t221 bye\n", "unknown stage 'quit'")]
    [InlineData("stage\treply\nrcpt\t250 ok\nrcpt\tconnection reset\n", "line 3")]
    public void Classify_BadInput_ThrowsFormatExceptionAndWritesNothing(string input, string expected)
    {
        var output = new StringWriter();

        var ex = Assert.Throws<FormatException>(() => ReplyTsv.Classify(new StringReader(input), output, ReplyClassifier.Default));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void Escape_CrLfAndTab_WritesBackslashNAndSpace()
    {
        Assert.Equal("550-a\\n550 b\\nc d", ReplyTsv.Escape("550-a\r\n550 b\rc\td"));
    }

    [Fact]
    public void Unescape_BackslashN_IsLineBreak()
    {
        Assert.Equal("550-a\n550 b", ReplyTsv.Unescape("550-a\\n550 b"));
    }
}
