using ARuntime.Sdk.LlamaSharp.Loading;
using ARuntime.Sdk.LlamaSharp.Native;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using ARuntime.Sdk.Testing.Gguf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Loading;

public sealed class GgufReaderTests
{
    [Test]
    public void ReadsSyntheticModelFacts()
    {
        var spec = SyntheticModelSpec.Tiny with { Name = "reader-test", ChatTemplate = "chatml-ish {{ messages }}", WeightType = GgufTensorType.F16 };
        var path = TestModels.GetSynthetic(spec);

        var info = GgufReader.Read(path);

        Assert.Multiple(() =>
        {
            Assert.That(info.Version, Is.EqualTo(3u));
            Assert.That(info.Architecture, Is.EqualTo("llama"));
            Assert.That(info.GetString("general.name"), Is.EqualTo("reader-test"));
            Assert.That(info.GetString("tokenizer.chat_template"), Is.EqualTo(spec.ChatTemplate));
            Assert.That(info.ParameterCount, Is.EqualTo(spec.ParameterCount));
            Assert.That(info.RequiredLength, Is.EqualTo(new FileInfo(path).Length), "the tensor data ends exactly at the end of the file");
            Assert.That(info.GetArrayLength("tokenizer.ggml.tokens"), Is.EqualTo(spec.VocabularySize));
        });
    }

    [Test]
    public void ReadsStories260K()
    {
        var info = GgufReader.Read(TestEngines.Stories260KOrIgnore());

        Assert.Multiple(() =>
        {
            Assert.That(info.Architecture, Is.EqualTo("llama"));
            Assert.That(info.GetInteger("llama.context_length"), Is.EqualTo(2048));
            Assert.That(info.GetInteger("llama.block_count"), Is.EqualTo(5));
            Assert.That(info.GetArrayLength("tokenizer.ggml.tokens"), Is.EqualTo(512));
            Assert.That(info.GetString("tokenizer.chat_template"), Is.Null);
        });
    }

    [Test]
    public void WrongGgufVersion_IsInvalidFormat()
    {
        using var stream = new MemoryStream([.. "GGUF"u8, 1, 0, 0, 0, .. new byte[16]]);

        var error = Assert.Throws<InvalidModelFormatException>(() => GgufReader.Read(stream, "v1.gguf"));

        Assert.That(error!.Message, Does.Contain("version 1"));
    }

    [Test]
    public void NativeLoadRefusal_IsExplainedFromTheLog()
    {
        var cause = new LLama.Exceptions.LoadWeightsFailedException("m.gguf");

        var unsupported = ModelLoader.Explain("m.gguf", "zorba", ["llama_model_load: error loading model: error loading model architecture: unknown model architecture: 'zorba'"], cause);
        var other = ModelLoader.Explain("m.gguf", "llama", ["llama_model_load: error loading model: missing tensor 'output_norm.weight'"], cause);

        Assert.Multiple(() =>
        {
            Assert.That(unsupported, Is.TypeOf<UnsupportedModelArchitectureException>());
            Assert.That(other, Is.TypeOf<ModelLoadException>());
            Assert.That(other.Message, Does.Contain("missing tensor 'output_norm.weight'"));
            Assert.That(other.InnerException, Is.SameAs(cause));
        });
    }

    [Test]
    public void MissingNativeLibrary_IsClassifiedAsBackendUnavailable()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NativeBackend.IsBackendFailure(new TypeInitializationException("LLama.Native.NativeApi", new DllNotFoundException("llama"))), Is.True);
            Assert.That(NativeBackend.IsBackendFailure(new DllNotFoundException("llama")), Is.True);
            Assert.That(NativeBackend.IsBackendFailure(new InvalidOperationException()), Is.False);
            Assert.That(NativeBackend.MissingBackendMessage, Does.Contain("LLamaSharp.Backend.Cpu").And.Contain("LLamaSharp.Backend.Cuda12"));
        });
    }
}
