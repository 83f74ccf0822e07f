using System.Collections.Concurrent;
using ARuntime.Sdk.LlamaSharp.Tests.Gguf;
using ARuntime.Sdk.Testing.Gguf;
using LLama;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>
/// The models grammar tests sample with: the real trained stories260K when the machine has it (tests on it are
/// ignored otherwise), and always the synthetic Tiny model, so the suite passes on a fresh clone anywhere.
/// </summary>
internal static class GrammarTestModel
{
    public const string Stories260K = "stories260K";
    public const string Synthetic = "synthetic-tiny";

    private static readonly ConcurrentDictionary<string, Lazy<LLamaWeights>> Loaded = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Kinds { get; } = [Stories260K, Synthetic];

    /// <summary>Returns the loaded weights of a model kind, or ignores the test when stories260K is absent.</summary>
    public static LLamaWeights Get(string kind)
    {
        var path = kind == Stories260K
            ? TestModels.FindStories260K()
            : TestModels.GetSynthetic(SyntheticModelSpec.Tiny);
        if (path is null)
        {
            Assert.Ignore("stories260K.gguf is not on this machine; the synthetic model covers the same path.");
        }

        // Loaded once per test run and shared; the process exit releases them.
        return Loaded.GetOrAdd(kind, _ => new Lazy<LLamaWeights>(() => LlamaTestLoader.Load(path!))).Value;
    }
}
