using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Testing.Gguf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

/// <summary>Model files and engines for the engine tests: synthetic models everywhere, stories260K where present.</summary>
internal static class TestEngines
{
    /// <summary>Gets the synthetic model most tests run on (about 158K parameters, no chat template).</summary>
    public static string TinyModel => TestModels.GetSynthetic(SyntheticModelSpec.Tiny);

    /// <summary>
    /// Gets the model for tests in which a long request holds a sequence while others queue behind it: about 5M
    /// parameters, so its 900 tokens take seconds. On the tiny model they take a fraction of a second, and on a loaded CI
    /// machine the holder could finish before the test has queued the others.
    /// </summary>
    public static string HolderModel => TestModels.GetSynthetic(SyntheticModelSpec.Small);

    /// <summary>Gets a synthetic model with a ChatML template and its control tokens.</summary>
    public static string ChatMlModel => TestModels.GetSynthetic(SyntheticModelSpec.Tiny with
    {
        Name = "aruntime-synthetic-chatml",
        SpecialTokens = ["<|im_start|>", "<|im_end|>"],
        ChatTemplate = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
    });

    /// <summary>Returns the stories260K path, or ignores the test when the file is absent.</summary>
    /// <returns>The path.</returns>
    public static string Stories260KOrIgnore()
    {
        var path = TestModels.FindStories260K();
        if (path is null)
        {
            Assert.Ignore("stories260K.gguf is not present (set ARUNTIME_TEST_MODEL or place it at ../shared/models/); the synthetic-model tests cover the same paths.");
        }

        return path!;
    }

    /// <summary>Gets the models the model-parameterized tests run on: the synthetic model, and stories260K when present.</summary>
    public static IEnumerable<TestCaseData> Models
    {
        get
        {
            yield return new TestCaseData("synthetic").SetArgDisplayNames("synthetic");
            yield return new TestCaseData("stories260K").SetArgDisplayNames("stories260K");
        }
    }

    /// <summary>Resolves a model name from <see cref="Models"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The path.</returns>
    public static string Resolve(string name) => name == "stories260K" ? Stories260KOrIgnore() : TinyModel;

    /// <summary>Options for a small, fast engine over <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The model.</param>
    /// <returns>The options.</returns>
    public static LlamaSharpEngineOptions Options(string modelPath) => new()
    {
        ModelPath = modelPath,
        ContextSize = 1024,
        BatchSize = 256,
        UBatchSize = 256,
        MaxSequences = 4,
        Threads = 1,
        BatchThreads = 2,
        MaxOutputTokens = 32,
    };

    /// <summary>Creates an engine (not yet loaded).</summary>
    /// <param name="modelPath">The model.</param>
    /// <param name="configure">Option changes.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The engine.</returns>
    public static LlamaSharpEngine Create(string modelPath, Action<LlamaSharpEngineOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = Options(modelPath);
        configure?.Invoke(options);
        return new LlamaSharpEngine(options, "test", timeProvider: timeProvider);
    }

    /// <summary>A request with a system and a user message.</summary>
    /// <param name="user">The user text.</param>
    /// <param name="system">The system text.</param>
    /// <param name="maxTokens">The output limit.</param>
    /// <param name="sampling">The sampling; greedy by default.</param>
    /// <returns>The request.</returns>
    public static InferenceRequest Request(string user, string? system = null, int maxTokens = 24, SamplingOptions? sampling = null) => new()
    {
        Messages = system is null ? [AgentMessage.User(user)] : [AgentMessage.System(system), AgentMessage.User(user)],
        MaxOutputTokens = maxTokens,
        Sampling = sampling ?? SamplingOptions.Greedy,
    };
}
