using ARuntime.Sdk.Evaluation;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Observability.Support;
using Microsoft.Extensions.AI;
using MeaiEvaluation = Microsoft.Extensions.AI.Evaluation;

namespace ARuntime.Sdk.Tests.Evaluation;

public sealed class ExtensionsAIEvaluatorTests
{
    [Test]
    public async Task MicrosoftExtensionsAIEvaluator_RunsAtTheEvaluationStage_WithTheConversationAndTheAnswer()
    {
        var inner = new KeywordEvaluator("shipped");
        await using var harness = ObservedRuntime.Create(null, configure: b => b.AddExtensionsAIEvaluator(inner, name: "keyword"));

        var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);

        var scores = result.Evaluations.Where(s => s.Evaluator == "keyword").ToDictionary(s => s.Metric);
        Assert.Multiple(() =>
        {
            Assert.That(inner.SeenMessages[^1].Text, Is.EqualTo("Where is my order A-1?"));
            Assert.That(inner.SeenResponse, Is.EqualTo("Your order shipped."));
            Assert.That(scores.Keys, Is.EquivalentTo(new[] { "keyword.mentions_keyword", "keyword.keyword_count", "keyword.tone" }));
            Assert.That(scores["keyword.mentions_keyword"].Value, Is.EqualTo(1));
            Assert.That(scores["keyword.mentions_keyword"].Passed, Is.True);
            Assert.That(scores["keyword.keyword_count"].Value, Is.EqualTo(1));
            Assert.That(scores["keyword.keyword_count"].Passed, Is.False, "the interpretation failed it");
            Assert.That(scores["keyword.keyword_count"].Reason, Is.EqualTo("expected at least 2 mentions"));
            Assert.That(scores["keyword.tone"].Value, Is.EqualTo(0.75), "a string metric scores by its rating");
        });
    }

    [Test]
    public async Task RequestWithoutAnAnswer_IsNotEvaluated()
    {
        var inner = new KeywordEvaluator("shipped");
        await using var harness = ObservedRuntime.Create(null, configure: b => b.AddExtensionsAIEvaluator(inner, name: "keyword"), replies: [ScriptedReply.Overloaded()]);

        var result = await harness.RunAsync("Where is my order A-1?");

        Assert.Multiple(() =>
        {
            Assert.That(result.Evaluations.Where(s => s.Evaluator == "keyword"), Is.Empty);
            Assert.That(inner.SeenResponse, Is.Null);
        });
    }

    [Test]
    public void DefaultName_IsTheEvaluatorTypeInSnakeCase()
    {
        Assert.That(new ExtensionsAIEvaluator(new KeywordEvaluator("x")).Name, Is.EqualTo("keyword_evaluator"));
    }

    /// <summary>A deterministic Microsoft.Extensions.AI.Evaluation evaluator: a boolean, a numeric and a string metric.</summary>
    private sealed class KeywordEvaluator(string keyword) : MeaiEvaluation.IEvaluator
    {
        public IReadOnlyList<ChatMessage> SeenMessages { get; private set; } = [];

        public string? SeenResponse { get; private set; }

        public IReadOnlyCollection<string> EvaluationMetricNames => ["Mentions keyword", "Keyword count", "Tone"];

        public ValueTask<MeaiEvaluation.EvaluationResult> EvaluateAsync(
            IEnumerable<ChatMessage> messages,
            ChatResponse modelResponse,
            MeaiEvaluation.ChatConfiguration? chatConfiguration = null,
            IEnumerable<MeaiEvaluation.EvaluationContext>? additionalContext = null,
            CancellationToken cancellationToken = default)
        {
            SeenMessages = [.. messages];
            SeenResponse = modelResponse.Text;
            var count = SeenResponse.Split(keyword).Length - 1;
            var numeric = new MeaiEvaluation.NumericMetric("Keyword count", count)
            {
                Interpretation = new MeaiEvaluation.EvaluationMetricInterpretation(MeaiEvaluation.EvaluationRating.Poor, count < 2, "expected at least 2 mentions"),
            };
            var tone = new MeaiEvaluation.StringMetric("Tone", "friendly")
            {
                Interpretation = new MeaiEvaluation.EvaluationMetricInterpretation(MeaiEvaluation.EvaluationRating.Good),
            };
            return ValueTask.FromResult(new MeaiEvaluation.EvaluationResult(new MeaiEvaluation.BooleanMetric("Mentions keyword", count > 0), numeric, tone));
        }
    }
}
