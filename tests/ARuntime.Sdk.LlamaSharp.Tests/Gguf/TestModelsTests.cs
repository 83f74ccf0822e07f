using System.Text;
using ARuntime.Sdk.Testing.Gguf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Gguf;

[TestFixture]
public sealed class TestModelsTests
{
    private string cache = null!;

    [SetUp]
    public void CreateCacheDirectory() => cache = Path.Combine(Path.GetTempPath(), $"aruntime-model-cache-{Guid.NewGuid():N}");

    [TearDown]
    public void DeleteCacheDirectory()
    {
        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Test]
    public void GetSynthetic_SameSpec_ReusesOneFileWithTheBuildersBytes()
    {
        var first = TestModels.GetSynthetic(SyntheticModelSpec.Tiny, cache);
        var writtenAt = File.GetLastWriteTimeUtc(first);
        var second = TestModels.GetSynthetic(SyntheticModelSpec.Tiny with { }, cache);
        using var expected = new MemoryStream();
        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, expected);

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(File.GetLastWriteTimeUtc(second), Is.EqualTo(writtenAt), "the cached file is not rewritten");
            Assert.That(File.ReadAllBytes(first), Is.EqualTo(expected.ToArray()));
            Assert.That(Directory.GetFiles(cache), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void GetSynthetic_SpecsDifferingInAnyProperty_GetDifferentFiles()
    {
        var specs = new[]
        {
            SyntheticModelSpec.Tiny,
            SyntheticModelSpec.Tiny with { Seed = 1 },
            SyntheticModelSpec.Tiny with { WeightType = GgufTensorType.F16 },
            SyntheticModelSpec.Tiny with { TiedEmbeddings = true },
            SyntheticModelSpec.Tiny with { ChatTemplate = "x" },
            SyntheticModelSpec.Tiny with { SpecialTokens = ["<|end|>"] },
            SyntheticModelSpec.Tiny with { ExtraVocabulary = 10 },
            SyntheticModelSpec.Tiny with { ContextLength = 512 },
        };

        var paths = specs.Select(spec => TestModels.GetSynthetic(spec, cache)).ToList();

        Assert.That(paths, Is.Unique);
    }

    [Test]
    public void GetSynthetic_ConcurrentCallers_AllGetTheSameCompleteFile()
    {
        var spec = SyntheticModelSpec.Tiny with { Seed = 2024 };
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() =>
            {
                start.Wait();
                return TestModels.GetSynthetic(spec, cache);
            }))
            .ToArray();

        start.Set();
        Task.WaitAll(callers);

        using var expected = new MemoryStream();
        SyntheticGgufBuilder.Write(spec, expected);
        var paths = callers.Select(caller => caller.Result).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(paths, Has.Count.EqualTo(1));
            Assert.That(File.ReadAllBytes(paths[0]), Is.EqualTo(expected.ToArray()));
            Assert.That(Directory.GetFiles(cache), Is.EqualTo(paths), "no temporary files are left behind");
        });
    }

    [Test]
    public void GetSynthetic_InvalidSpec_ThrowsNamingThePropertyAndWritesNothing()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => TestModels.GetSynthetic(SyntheticModelSpec.Tiny with { EmbeddingLength = 65 }, cache));

        Assert.That(exception!.ParamName, Is.EqualTo(nameof(SyntheticModelSpec.EmbeddingLength)));
        Assert.That(Directory.Exists(cache) && Directory.EnumerateFileSystemEntries(cache).Any(), Is.False);
    }

    [Test]
    [NonParallelizable]
    public void FindStories260K_PrefersAnExistingFileNamedByTheEnvironmentVariable()
    {
        var model = TestModels.GetSynthetic(SyntheticModelSpec.Tiny, cache);
        var previous = Environment.GetEnvironmentVariable(TestModels.ModelPathEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(TestModels.ModelPathEnvironmentVariable, model);
            Assert.That(TestModels.FindStories260K(), Is.EqualTo(model));

            var missing = Path.Combine(cache, "missing.gguf");
            Environment.SetEnvironmentVariable(TestModels.ModelPathEnvironmentVariable, missing);
            Assert.That(TestModels.FindStories260K(), Is.Not.EqualTo(missing));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TestModels.ModelPathEnvironmentVariable, previous);
        }
    }

    [Test]
    public void FindStories260K_FindsTheSharedModel_AndLlamaCppRunsIt()
    {
        var path = TestModels.FindStories260K();
        if (path is null)
        {
            Assert.Ignore($"stories260K.gguf not found (set {TestModels.ModelPathEnvironmentVariable} or place it at shared/models/).");
        }

        using var weights = LlamaTestLoader.Load(path);
        var tokens = LlamaTestLoader.Generate(weights, "Once upon a time", 16, seed: 1, temperature: 0f);
        var decoder = new LLama.StreamingTokenDecoder(Encoding.UTF8, weights);
        decoder.AddRange(tokens);

        Assert.Multiple(() =>
        {
            Assert.That(weights.Metadata["general.architecture"], Is.EqualTo("llama"));
            Assert.That(tokens, Has.Count.EqualTo(16));
            Assert.That(decoder.Read(), Is.Not.Empty);
        });
    }
}
