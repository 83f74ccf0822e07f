using ARuntime.Sdk.Testing.Gguf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Gguf;

[TestFixture]
public sealed class SyntheticModelSpecTests
{
    private static IEnumerable<TestCaseData> InvalidSpecs()
    {
        var valid = SyntheticModelSpec.Tiny;
        yield return Case(valid with { Layers = 0 }, nameof(SyntheticModelSpec.Layers), "no layers");
        yield return Case(valid with { Layers = -3 }, nameof(SyntheticModelSpec.Layers), "negative layers");
        yield return Case(valid with { EmbeddingLength = 0 }, nameof(SyntheticModelSpec.EmbeddingLength), "no embedding");
        yield return Case(valid with { EmbeddingLength = 66 }, nameof(SyntheticModelSpec.EmbeddingLength), "embedding not divisible by heads");
        yield return Case(valid with { HeadCount = 0 }, nameof(SyntheticModelSpec.HeadCount), "no heads");
        yield return Case(valid with { HeadCount = 64, KvHeadCount = 2 }, nameof(SyntheticModelSpec.HeadCount), "odd head size");
        yield return Case(valid with { KvHeadCount = 0 }, nameof(SyntheticModelSpec.KvHeadCount), "no KV heads");
        yield return Case(valid with { KvHeadCount = 3 }, nameof(SyntheticModelSpec.KvHeadCount), "heads not divisible by KV heads");
        yield return Case(valid with { KvHeadCount = 8 }, nameof(SyntheticModelSpec.KvHeadCount), "more KV heads than heads");
        yield return Case(valid with { FeedForwardLength = 0 }, nameof(SyntheticModelSpec.FeedForwardLength), "no feed-forward");
        yield return Case(valid with { ContextLength = 0 }, nameof(SyntheticModelSpec.ContextLength), "no context");
        yield return Case(valid with { ExtraVocabulary = -1 }, nameof(SyntheticModelSpec.ExtraVocabulary), "negative vocabulary");
        yield return Case(valid with { ExtraVocabulary = SyntheticModelSpec.MaxExtraVocabulary + 1 }, nameof(SyntheticModelSpec.ExtraVocabulary), "huge vocabulary");
        yield return Case(valid with { Name = " " }, nameof(SyntheticModelSpec.Name), "blank name");
        yield return Case(valid with { Name = "bad\uD800name" }, nameof(SyntheticModelSpec.Name), "lone surrogate in name");
        yield return Case(valid with { ChatTemplate = "" }, nameof(SyntheticModelSpec.ChatTemplate), "empty template");
        yield return Case(valid with { SpecialTokens = ["<|a|>", "<|a|>"] }, nameof(SyntheticModelSpec.SpecialTokens), "duplicate special token");
        yield return Case(valid with { SpecialTokens = ["</s>"] }, nameof(SyntheticModelSpec.SpecialTokens), "special token repeats a built-in one");
        yield return Case(valid with { SpecialTokens = ["<0x41>"] }, nameof(SyntheticModelSpec.SpecialTokens), "special token repeats a byte token");
        yield return Case(valid with { SpecialTokens = [""] }, nameof(SyntheticModelSpec.SpecialTokens), "empty special token");

        static TestCaseData Case(SyntheticModelSpec spec, string property, string name) =>
            new TestCaseData(spec, property).SetName($"Validate rejects {name} naming {property}");
    }

    [TestCaseSource(nameof(InvalidSpecs))]
    public void Validate_RejectsInvalidSpec_NamingTheProperty(SyntheticModelSpec spec, string property)
    {
        var exception = Assert.Throws(Is.InstanceOf<ArgumentException>(), spec.Validate) as ArgumentException;

        Assert.That(exception!.ParamName, Is.EqualTo(property));
        Assert.That(exception.Message, Does.Contain(property));
    }

    [TestCaseSource(nameof(InvalidSpecs))]
    public void Write_RejectsInvalidSpec_BeforeCreatingTheFile(SyntheticModelSpec spec, string property)
    {
        var path = Path.Combine(Path.GetTempPath(), $"aruntime-invalid-{Guid.NewGuid():N}.gguf");

        var exception = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => SyntheticGgufBuilder.Write(spec, path)) as ArgumentException;

        Assert.That(exception!.ParamName, Is.EqualTo(property));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Presets_AreValid_AndHaveTheAdvertisedSizes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SyntheticModelSpec.Tiny.Validate, Throws.Nothing);
            Assert.That(SyntheticModelSpec.Small.Validate, Throws.Nothing);
            Assert.That(SyntheticModelSpec.Medium20M.Validate, Throws.Nothing);
            Assert.That(SyntheticModelSpec.Tiny.ParameterCount, Is.LessThan(1_000_000));
            Assert.That(SyntheticModelSpec.Small.ParameterCount, Is.InRange(4_500_000, 5_500_000));
            Assert.That(SyntheticModelSpec.Medium20M.ParameterCount, Is.InRange(20_000_000, 23_000_000));
        });
    }

    [Test]
    public void Defaults_AreTheTinyPreset()
    {
        Assert.That(new SyntheticModelSpec(), Is.EqualTo(SyntheticModelSpec.Tiny));
    }

    [Test]
    public void ParameterCount_CountsEveryTensor()
    {
        // 2 layers, embedding 8, 2 heads of 4, 1 KV head, feed-forward 12, 259 + 5 + 1 tokens.
        var spec = new SyntheticModelSpec
        {
            Layers = 2, EmbeddingLength = 8, HeadCount = 2, KvHeadCount = 1, FeedForwardLength = 12, ExtraVocabulary = 5,
            SpecialTokens = ["<|end|>"],
        };
        const long vocabulary = 265 * 8;
        const long perLayer = 8 + 8 + (8 * 8) + (8 * 4) + (8 * 4) + (8 * 8) + (3 * 8 * 12);

        Assert.Multiple(() =>
        {
            Assert.That(spec.VocabularySize, Is.EqualTo(265));
            Assert.That(spec.ParameterCount, Is.EqualTo((2 * vocabulary) + 8 + (2 * perLayer)));
            Assert.That((spec with { TiedEmbeddings = true }).ParameterCount, Is.EqualTo(vocabulary + 8 + (2 * perLayer)));
        });
    }

    [Test]
    public void Equality_ComparesSpecialTokensByValue()
    {
        var first = SyntheticModelSpec.Tiny with { SpecialTokens = ["<|im_start|>", "<|im_end|>"] };
        var second = SyntheticModelSpec.Tiny with { SpecialTokens = new List<string> { "<|im_start|>", "<|im_end|>" } };
        var reordered = SyntheticModelSpec.Tiny with { SpecialTokens = ["<|im_end|>", "<|im_start|>"] };

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(second.GetHashCode(), Is.EqualTo(first.GetHashCode()));
            Assert.That(reordered, Is.Not.EqualTo(first));
            Assert.That(first with { Seed = 43 }, Is.Not.EqualTo(first));
        });
    }

    [Test]
    public void SpecialTokens_AreCopied_SoTheCallersListCannotChangeTheSpec()
    {
        var tokens = new List<string> { "<|end|>" };
        var spec = SyntheticModelSpec.Tiny with { SpecialTokens = tokens };

        tokens.Add("<|other|>");

        Assert.Multiple(() =>
        {
            Assert.That(spec.SpecialTokens, Is.EqualTo(new[] { "<|end|>" }));
            Assert.That(spec.VocabularySize, Is.EqualTo(SyntheticModelSpec.Tiny.VocabularySize + 1));
        });
    }

    [Test]
    public void SpecialTokens_Null_ThrowsNamingTheProperty()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => _ = SyntheticModelSpec.Tiny with { SpecialTokens = null! });

        Assert.That(exception!.ParamName, Is.EqualTo(nameof(SyntheticModelSpec.SpecialTokens)));
    }
}
