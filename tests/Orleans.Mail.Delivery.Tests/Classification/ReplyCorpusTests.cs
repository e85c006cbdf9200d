using System.Globalization;
using System.Text;
using Orleans.Mail.Delivery.Classification;

namespace Orleans.Mail.Delivery.Tests.Classification;

/// <summary>Accuracy of the built-in rules on the 120 labelled real-world replies.</summary>
public sealed class ReplyCorpusTests
{
    private const double ActionBar = 0.98;
    private const double ClassBar = 0.95;

    [Fact]
    public void Classify_LabelledCorpus_MeetsAccuracyBar()
    {
        var corpus = ReplyCorpus.Load();
        var classifier = new ReplyClassifier();
        int actionHits = 0, classHits = 0, suppressHits = 0, throttleHits = 0;
        var misses = new StringBuilder();
        foreach (var item in corpus)
        {
            var result = classifier.Classify(item.Row.Stage, item.Row.Reply);
            var actionOk = result.Action.ToName() == item.Action;
            var classOk = result.Class == item.Class;
            actionHits += actionOk ? 1 : 0;
            classHits += classOk ? 1 : 0;
            suppressHits += result.Suppress == item.Suppress ? 1 : 0;
            throttleHits += result.Throttle == item.Throttle ? 1 : 0;
            if (!actionOk || !classOk || result.Suppress != item.Suppress || result.Throttle != item.Throttle)
            {
                misses.AppendLine(CultureInfo.InvariantCulture,
                    $"  line {item.Row.LineNumber}: expected {item.Action}/{item.Class}/suppress={item.Suppress}/throttle={item.Throttle}, got {result.Action.ToName()}/{result.Class}/suppress={result.Suppress}/throttle={result.Throttle} by rule {result.Rule}: {item.Row.Reply.FlatText}");
            }
        }

        double total = corpus.Count;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"reply corpus: {corpus.Count} rows; action {actionHits}/{corpus.Count} = {actionHits / total:P1} (bar {ActionBar:P0}); class {classHits}/{corpus.Count} = {classHits / total:P1} (bar {ClassBar:P0}); suppress {suppressHits / total:P1}; throttle {throttleHits / total:P1}")
            + (misses.Length > 0 ? Environment.NewLine + "misclassified:" + Environment.NewLine + misses : string.Empty);
        TestContext.Current.SendDiagnosticMessage(summary);
        TestContext.Current.TestOutputHelper?.WriteLine(summary);

        Assert.Equal(120, corpus.Count);
        Assert.True(actionHits / total >= ActionBar && classHits / total >= ClassBar, summary);
    }

    [Fact]
    public void Classify_LabelledCorpus_SuppressesOnlyRecipientLevelBounces()
    {
        var classifier = new ReplyClassifier();

        var suppressed = ReplyCorpus.Load()
            .Select(item => classifier.Classify(item.Row.Stage, item.Row.Reply))
            .Where(result => result.Suppress)
            .ToArray();

        Assert.NotEmpty(suppressed);
        Assert.All(suppressed, result =>
        {
            Assert.Equal(ReplyAction.Bounce, result.Action);
            Assert.True(ReplyClass.IsRecipientLevel(result.Class), result.Class);
        });
    }

    [Fact]
    public void Classify_LabelledCorpus_UsesOnlyTheProjectVocabulary()
    {
        var corpus = ReplyCorpus.Load();

        Assert.All(corpus, item => Assert.True(ReplyClass.IsKnown(item.Class), $"corpus class {item.Class} is not in ReplyClass.All"));
        Assert.All(ReplyRules.BuiltIn, rule => Assert.True(ReplyClass.IsKnown(rule.Class), rule.Name));
    }
}
