using ARuntime.Sdk.LlamaSharp.Prompting;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Options;

public sealed class OptionsValidationTests
{
    private static IEnumerable<TestCaseData> Invalid()
    {
        yield return Case(o => o.ModelPath = " ", "ModelPath is required");
        yield return Case(o => o.GpuLayerCount = -1, "GpuLayerCount");
        yield return Case(o => o.Threads = 0, "Threads must be between 1 and 1024");
        yield return Case(o => o.BatchThreads = 2000, "BatchThreads");
        yield return Case(o => o.ContextSize = 32, "ContextSize must be at least 64");
        yield return Case(o => o.UBatchSize = 1024, "UBatchSize must be between 1 and BatchSize (256)");
        yield return Case(o => o.MaxSequences = 300, "MaxSequences must be between 1 and 256");
        yield return Case(o => o.MaxQueueLength = -1, "MaxQueueLength");
        yield return Case(o => o.AdmissionGatherWindow = TimeSpan.FromMilliseconds(-1), "AdmissionGatherWindow must be between 0 and 10 ms");
        yield return Case(o => o.AdmissionGatherWindow = TimeSpan.FromSeconds(1), "AdmissionGatherWindow must be between 0 and 10 ms");
        yield return Case(o => o.MaxOutputTokens = 0, "MaxOutputTokens");
        yield return Case(o => o.PrefixCacheBytes = -5, "PrefixCacheBytes");
        yield return Case(o => o.PrefixCacheMinTokens = 0, "PrefixCacheMinTokens");
        yield return Case(o => o.PromptFormat = (PromptFormat)9, "PromptFormat 9");
        yield return Case(o => o.ChatTemplate = "", "ChatTemplate");
        yield return Case(o => o.ModelName = "", "ModelName");
        yield return Case(o => o.GrammarOptions = ARuntime.Sdk.LlamaSharp.Grammar.JsonSchemaGrammarOptions.Default with { MaxWhitespace = 99 }, "GrammarOptions");
    }

    [TestCaseSource(nameof(Invalid))]
    public void InvalidOption_IsRejectedWithAMessageNamingIt(Action<LlamaSharpEngineOptions> change, string expected)
    {
        var options = TestEngines.Options(TestEngines.TinyModel);
        change(options);

        var result = new LlamaSharpEngineOptionsValidator().Validate("local", options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain(expected));
        });
        Assert.Throws<ArgumentException>(() => _ = new LlamaSharpEngine(options));
    }

    [Test]
    public void DefaultOptionsWithAModelPath_AreValid()
    {
        var result = new LlamaSharpEngineOptionsValidator().Validate(null, new LlamaSharpEngineOptions { ModelPath = TestEngines.TinyModel });

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public async Task Options_AreCopied_SoLaterChangesHaveNoEffect()
    {
        var options = TestEngines.Options(TestEngines.TinyModel);
        await using var engine = new LlamaSharpEngine(options);
        options.ContextSize = 128;

        await engine.LoadAsync();

        Assert.That(engine.Metadata.Capabilities.ContextTokens, Is.EqualTo(1024));
    }

    private static TestCaseData Case(Action<LlamaSharpEngineOptions> change, string expected) =>
        new TestCaseData(change, expected).SetArgDisplayNames(expected);
}
