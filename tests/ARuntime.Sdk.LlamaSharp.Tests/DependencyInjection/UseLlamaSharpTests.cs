using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using ARuntime.Sdk.Testing.Gguf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.LlamaSharp.Tests.DependencyInjection;

public sealed class UseLlamaSharpTests
{
    [Test]
    public async Task UseLlamaSharp_RegistersOneKeyedEnginePerDeployment()
    {
        var other = TestModels.GetSynthetic(SyntheticModelSpec.Tiny with { Name = "second-model", Seed = 3 });
        var services = new ServiceCollection();
        services.AddARuntime()
            .UseLlamaSharp("small", o => Configure(o, TestEngines.TinyModel))
            .UseLlamaSharp("other", o => Configure(o, other))
            .UseInMemoryEvidence();
        await using var provider = services.BuildServiceProvider();

        var small = provider.GetRequiredKeyedService<IInferenceEngine>("small");
        var second = provider.GetRequiredKeyedService<IInferenceEngine>("other");
        var result = await second.InferAsync(TestEngines.Request("hello", maxTokens: 3));

        Assert.Multiple(() =>
        {
            Assert.That(small, Is.InstanceOf<LlamaSharpEngine>());
            Assert.That(((LlamaSharpEngine)small).DeploymentName, Is.EqualTo("small"));
            Assert.That(small, Is.SameAs(provider.GetRequiredKeyedService<LlamaSharpEngine>("small")));
            Assert.That(second, Is.Not.SameAs(small));
            Assert.That(small.Metadata.ModelId, Is.EqualTo(SyntheticModelSpec.Tiny.Name));
            Assert.That(result.ModelId, Is.EqualTo("second-model"));
        });
    }

    [Test]
    public void InvalidOptions_FailStartupValidationNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddARuntime()
            .UseLlamaSharp("broken", o =>
            {
                o.ModelPath = TestEngines.TinyModel;
                o.MaxSequences = 0;
                o.UBatchSize = 1024;
            })
            .UseInMemoryEvidence();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Failures, Has.Some.Contains("LlamaSharpEngineOptions['broken'].MaxSequences"));
        Assert.That(error.Failures, Has.Some.Contains("UBatchSize"));
    }

    [Test]
    public void MissingModelPath_FailsStartupValidation()
    {
        var services = new ServiceCollection();
        services.AddARuntime().UseLlamaSharp("none", _ => { }).UseInMemoryEvidence();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Failures, Has.Some.Contains("ModelPath is required"));
    }

    private static void Configure(LlamaSharpEngineOptions options, string path)
    {
        options.ModelPath = path;
        options.ContextSize = 512;
        options.Threads = 1;
    }
}
