using ARuntime.Sdk.LlamaSharp.Loading;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using ARuntime.Sdk.Testing.Gguf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

public sealed class ModelLoadingTests
{
    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task LoadAsync_ReportsMonotonicProgressEndingAtOne(string model)
    {
        await using var engine = TestEngines.Create(TestEngines.Resolve(model));
        var progress = new RecordingProgress();

        await engine.LoadAsync(progress);

        var values = progress.Values;
        Assert.Multiple(() =>
        {
            Assert.That(engine.IsLoaded, Is.True);
            Assert.That(values, Has.Count.GreaterThan(2));
            Assert.That(values, Is.Ordered.Ascending);
            Assert.That(values.Distinct().Count(), Is.EqualTo(values.Count), "each report is an increase");
            Assert.That(values[0], Is.EqualTo(0d));
            Assert.That(values[^1], Is.EqualTo(1d));
            Assert.That(values, Is.All.InRange(0d, 1d));
        });
    }

    [TestCase(false, TestName = "ProgressHandlerThrowingWhileWeightsLoad_FailsTheLoadWithItsException_NotTheProcess")]
    [TestCase(true, TestName = "ProgressHandlerThrowingOnTheFinalReport_FailsTheLoad_AndLeavesNoHalfLoadedEngine")]
    public async Task ProgressHandlerThrowing_FailsTheLoadWithItsException(bool onFinalReport)
    {
        // Weight-loading progress comes from llama.cpp's progress callback, inside native code, where an exception
        // cannot unwind. A synchronous progress bar that throws (say, the console went away) must fail LoadAsync only,
        // and never leave an engine that looks loaded over disposed weights.
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var progress = new ThrowingProgress(p => onFinalReport ? p >= 1d : p > ModelLoader.MetadataShare && p < 1d);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => engine.LoadAsync(progress));
        var loadedAfterFailure = engine.IsLoaded;
        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 2));

        Assert.Multiple(() =>
        {
            Assert.That(error!.InnerException, Is.InstanceOf<InvalidOperationException>().With.Message.EqualTo("progress bar failed"));
            Assert.That(loadedAfterFailure, Is.False, "a failed load publishes nothing");
            Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0), "the next load works");
        });
    }

    [Test]
    public async Task LoadAsync_ReadsModelInfoFromGgufMetadata()
    {
        var spec = SyntheticModelSpec.Tiny;
        await using var engine = TestEngines.Create(TestEngines.TinyModel);

        await engine.LoadAsync();

        var info = engine.ModelInfo!;
        Assert.Multiple(() =>
        {
            Assert.That(info.Architecture, Is.EqualTo("llama"));
            Assert.That(info.Name, Is.EqualTo(spec.Name));
            Assert.That(info.ParameterCount, Is.EqualTo(spec.ParameterCount));
            Assert.That(info.TrainedContextLength, Is.EqualTo(spec.ContextLength));
            Assert.That(info.LayerCount, Is.EqualTo(spec.Layers));
            Assert.That(info.EmbeddingLength, Is.EqualTo(spec.EmbeddingLength));
            Assert.That(info.HeadCount, Is.EqualTo(spec.HeadCount));
            Assert.That(info.KvHeadCount, Is.EqualTo(spec.KvHeadCount));
            Assert.That(info.VocabularySize, Is.EqualTo(spec.VocabularySize));
            Assert.That(info.ChatTemplate, Is.Null);
            Assert.That(info.Version, Does.Match("^sha256:[0-9a-f]{16}$"));
            Assert.That(engine.Metadata.ModelId, Is.EqualTo(spec.Name));
            Assert.That(engine.Metadata.ModelVersion, Is.EqualTo(info.Version));
            Assert.That(engine.Metadata.Capabilities.ContextTokens, Is.EqualTo(1024));
        });
    }

    [Test]
    public async Task ModelVersion_ChangesWithTheFileContent()
    {
        var a = await LlamaModelInfo.ReadAsync(TestModels.GetSynthetic(SyntheticModelSpec.Tiny));
        var b = await LlamaModelInfo.ReadAsync(TestModels.GetSynthetic(SyntheticModelSpec.Tiny with { Seed = 7 }));
        var again = await LlamaModelInfo.ReadAsync(TestModels.GetSynthetic(SyntheticModelSpec.Tiny));

        Assert.Multiple(() =>
        {
            Assert.That(a.Version, Is.Not.EqualTo(b.Version));
            Assert.That(again.Version, Is.EqualTo(a.Version));
            Assert.That(a.ParameterCount, Is.EqualTo(b.ParameterCount));
        });
    }

    [Test]
    public async Task Options_OverrideModelNameAndVersion()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel, o =>
        {
            o.ModelName = "support-bot";
            o.ModelVersion = "2026-05";
        });

        var before = engine.Metadata;
        await engine.LoadAsync();
        var result = await engine.InferAsync(TestEngines.Request("hi", maxTokens: 2));

        Assert.Multiple(() =>
        {
            Assert.That(before.ModelId, Is.EqualTo("support-bot"));
            Assert.That(result.ModelId, Is.EqualTo("support-bot"));
            Assert.That(result.ModelVersion, Is.EqualTo("2026-05"));
        });
    }

    [Test]
    public async Task Metadata_BeforeLoading_ComesFromTheFileHeader()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel, o => o.ContextSize = null);

        var metadata = engine.Metadata;

        Assert.Multiple(() =>
        {
            Assert.That(engine.IsLoaded, Is.False);
            Assert.That(metadata.ModelId, Is.EqualTo(SyntheticModelSpec.Tiny.Name));
            Assert.That(metadata.Capabilities.ContextTokens, Is.EqualTo(SyntheticModelSpec.Tiny.ContextLength));
            Assert.That(metadata.Capabilities.ConstrainedOutput, Is.True);
            Assert.That(metadata.Capabilities.Streaming, Is.True);
        });
    }

    [Test]
    public async Task ConcurrentLoads_LoadOnce()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => engine.LoadAsync()));
        var info = engine.ModelInfo;
        await engine.LoadAsync();

        Assert.That(engine.ModelInfo, Is.SameAs(info));
    }

    private sealed class ThrowingProgress(Func<double, bool> throwsAt) : IProgress<double>
    {
        public void Report(double value)
        {
            if (throwsAt(value))
            {
                throw new InvalidOperationException("progress bar failed");
            }
        }
    }
}
