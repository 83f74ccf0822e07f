using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Loading;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

/// <summary>Every bad model file gives its own typed error, and the process (and the next load) carries on.</summary>
public sealed class BadModelFileTests
{
    private BadModelFiles files = null!;

    [SetUp]
    public void SetUp() => files = new BadModelFiles();

    [TearDown]
    public void TearDown() => files.Dispose();

    [Test]
    public async Task MissingFile_GivesModelFileNotFound()
    {
        // The options validator rejects a missing path at construction; a file deleted afterwards fails at load.
        var path = files.NotGguf();
        await using var engine = TestEngines.Create(path);
        File.Delete(path);

        var error = await Assert.ThrowsAsync<ModelFileNotFoundException>(() => engine.LoadAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.ModelPath, Is.EqualTo(path));
            Assert.That(error.Message, Does.Contain(path));
            Assert.That(error.Kind, Is.EqualTo(InferenceFailureKind.ModelUnavailable));
        });
        await AssertAGoodModelStillLoads();
    }

    [Test]
    public void MissingFile_IsRejectedByOptionsValidation()
    {
        var error = Assert.Throws<ArgumentException>(() => TestEngines.Create(files.Missing));

        Assert.That(error!.Message, Does.Contain("ModelPath").And.Contain("does not exist"));
    }

    [Test]
    public async Task NotGguf_GivesInvalidModelFormat()
    {
        await using var engine = TestEngines.Create(files.NotGguf());

        var error = await Assert.ThrowsAsync<InvalidModelFormatException>(() => engine.LoadAsync());

        Assert.That(error!.Message, Does.Contain("not a GGUF model"));
        await AssertAGoodModelStillLoads();
    }

    [TestCase(0.5, TestName = "TruncatedInTensorData_GivesTruncatedModelFile")]
    [TestCase(0.001, TestName = "TruncatedInMetadata_GivesTruncatedModelFile")]
    public async Task Truncated_GivesTruncatedModelFile(double keep)
    {
        var path = files.Truncated(TestEngines.TinyModel, keep);
        await using var engine = TestEngines.Create(path);

        var error = await Assert.ThrowsAsync<TruncatedModelFileException>(() => engine.LoadAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.ActualBytes, Is.EqualTo(new FileInfo(path).Length));
            Assert.That(error.Message, Does.Contain("truncated"));
        });
        await AssertAGoodModelStillLoads();
    }

    [Test]
    public async Task UnknownArchitecture_GivesUnsupportedModelArchitecture()
    {
        await using var engine = TestEngines.Create(files.WithArchitecture(TestEngines.TinyModel, "zorba"));

        var error = await Assert.ThrowsAsync<UnsupportedModelArchitectureException>(() => engine.LoadAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Architecture, Is.EqualTo("zorba"));
            Assert.That(error.Message, Does.Contain("'zorba'"));
        });
        await AssertAGoodModelStillLoads();
    }

    [Test]
    public async Task LoadFailure_SurfacesThroughInferAsyncAsInferenceException()
    {
        await using var engine = TestEngines.Create(files.NotGguf());

        var error = await Assert.ThrowsAsync<InvalidModelFormatException>(() => engine.InferAsync(TestEngines.Request("hi")));

        Assert.That(error, Is.InstanceOf<InferenceException>());
        Assert.That(((InferenceException)error!).IsTransient, Is.False);
    }

    [Test]
    public async Task LoadFailure_IsRetriedOnTheNextCall()
    {
        var path = files.NotGguf();
        await using var engine = TestEngines.Create(path);
        await Assert.ThrowsAsync<InvalidModelFormatException>(() => engine.LoadAsync());

        File.Copy(TestEngines.TinyModel, path, overwrite: true);
        await engine.LoadAsync();

        Assert.That(engine.IsLoaded, Is.True);
    }

    private static async Task AssertAGoodModelStillLoads()
    {
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 2));
        Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0));
    }
}
