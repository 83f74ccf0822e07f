using System.Text;
using ARuntime.Sdk.Testing.Gguf;
using LLama;
using LLama.Exceptions;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Tests.Gguf;

/// <summary>Synthetic models loaded and run by real llama.cpp (LLamaSharp's CPU backend).</summary>
[TestFixture]
public sealed class SyntheticModelInferenceTests
{
    private const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static readonly SyntheticModelSpec ChatSpec = SyntheticModelSpec.Tiny with
    {
        Name = "aruntime-synthetic-chat",
        ChatTemplate = ChatMlTemplate,
        SpecialTokens = ["<|im_start|>", "<|im_end|>"],
    };

    private LLamaWeights tiny = null!;

    [OneTimeSetUp]
    public void LoadTinyModel() => tiny = LlamaTestLoader.Load(TestModels.GetSynthetic(SyntheticModelSpec.Tiny));

    [OneTimeTearDown]
    public void DisposeTinyModel() => tiny.Dispose();

    [TestCase(GgufTensorType.F32, false, LLamaFtype.ALL_F32)]
    [TestCase(GgufTensorType.F16, false, LLamaFtype.MOSTLY_F16)]
    [TestCase(GgufTensorType.F32, true, LLamaFtype.ALL_F32)]
    [TestCase(GgufTensorType.F16, true, LLamaFtype.MOSTLY_F16)]
    public void Load_ReportsTheShapeOfTheSpec(GgufTensorType weightType, bool tied, LLamaFtype fileType)
    {
        var spec = new SyntheticModelSpec
        {
            Name = "shape-check",
            Layers = 3,
            EmbeddingLength = 96,
            HeadCount = 6,
            KvHeadCount = 3,
            FeedForwardLength = 200,
            ContextLength = 777,
            ExtraVocabulary = 300,
            WeightType = weightType,
            TiedEmbeddings = tied,
        };

        using var weights = LlamaTestLoader.Load(TestModels.GetSynthetic(spec));

        Assert.Multiple(() =>
        {
            Assert.That(weights.ContextSize, Is.EqualTo(spec.ContextLength));
            Assert.That(weights.EmbeddingSize, Is.EqualTo(spec.EmbeddingLength));
            Assert.That(weights.NativeHandle.LayerCount, Is.EqualTo(spec.Layers));
            Assert.That(weights.NativeHandle.HeadCount, Is.EqualTo(spec.HeadCount));
            Assert.That(weights.NativeHandle.KVHeadCount, Is.EqualTo(spec.KvHeadCount));
            Assert.That(weights.Vocab.Count, Is.EqualTo(spec.VocabularySize));
            Assert.That(weights.ParameterCount, Is.EqualTo((ulong)spec.ParameterCount));
            Assert.That(weights.NativeHandle.FileType, Is.EqualTo(fileType));
            Assert.That(weights.Metadata["general.architecture"], Is.EqualTo("llama"));
            Assert.That(weights.Metadata["general.name"], Is.EqualTo("shape-check"));
            Assert.That(weights.Metadata, Does.Not.ContainKey("tokenizer.chat_template"));
            Assert.That(weights.Vocab.Type, Is.EqualTo(LLamaVocabType.SentencePiece));
            Assert.That(weights.Vocab.BOS, Is.EqualTo((LLamaToken)1));
            Assert.That(weights.Vocab.EOS, Is.EqualTo((LLamaToken)2));
            Assert.That(weights.Vocab.ShouldAddBOS, Is.True);
        });
    }

    [TestCase(GgufTensorType.F32, false)]
    [TestCase(GgufTensorType.F16, false)]
    [TestCase(GgufTensorType.F16, true)]
    public void Generate_WithAFixedSeed_ProducesFiniteLogitsAndRepeatableTokens(GgufTensorType weightType, bool tied)
    {
        using var weights = LlamaTestLoader.Load(TestModels.GetSynthetic(
            SyntheticModelSpec.Tiny with { WeightType = weightType, TiedEmbeddings = tied }));

        var first = LlamaTestLoader.Generate(weights, "Once upon a time", 24, seed: 1234, temperature: 1.0f);
        var second = LlamaTestLoader.Generate(weights, "Once upon a time", 24, seed: 1234, temperature: 1.0f);

        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Count.EqualTo(24));
            Assert.That(first.Select(token => (int)token), Is.All.InRange(0, weights.Vocab.Count - 1));
            Assert.That(second, Is.EqualTo(first));
        });
    }

    [Test]
    public void Generate_WritesMostlyWholePieces_AndDoesNotStopByItself()
    {
        // Byte and control tokens have damped output rows (documented): sampled text is mostly vocabulary pieces, and
        // end-of-sequence is practically never chosen, so generation runs to the token limit.
        var tokens = LlamaTestLoader.Generate(tiny, "the answer is", 64, seed: 99, temperature: 1.0f);

        var pieces = tokens.Count(token => (int)token >= SyntheticModelSpec.BuiltInTokenCount);
        Assert.Multiple(() =>
        {
            Assert.That(pieces, Is.GreaterThanOrEqualTo(58), "at least 90% of sampled tokens are vocabulary pieces");
            Assert.That(tokens, Has.None.EqualTo(tiny.Vocab.EOS));
        });
    }

    [Test]
    public void GreedyDecoding_InOneSharedBatch_MatchesEachPromptRunAlone()
    {
        // What continuous-batching tests rely on: the logits are spread widely enough that the small numeric
        // differences between batched and single-sequence kernels never flip a greedy choice.
        string[] prompts = ["Once upon a time", "the answer is", "{\"tool\":", "what did she say"];

        var together = LlamaTestLoader.GreedyTogether(tiny, prompts, 48);
        var alone = prompts.Select(prompt => LlamaTestLoader.GreedyTogether(tiny, [prompt], 48).Single()).ToList();

        Assert.That(together, Is.EqualTo(alone));
    }

    [TestCase(nameof(SyntheticModelSpec.Tiny))]
    [TestCase(nameof(SyntheticModelSpec.Small))]
    public void Preset_LoadsWithTheAdvertisedParameterCount(string preset)
    {
        var spec = preset == nameof(SyntheticModelSpec.Small) ? SyntheticModelSpec.Small : SyntheticModelSpec.Tiny;

        using var weights = LlamaTestLoader.Load(TestModels.GetSynthetic(spec));
        var tokens = LlamaTestLoader.Generate(weights, "the", 4, seed: 3, temperature: 0.8f);

        Assert.Multiple(() =>
        {
            Assert.That(weights.ParameterCount, Is.EqualTo((ulong)spec.ParameterCount));
            Assert.That(weights.ContextSize, Is.EqualTo(spec.ContextLength));
            Assert.That(tokens, Has.Count.EqualTo(4));
        });
    }

    private static IEnumerable<TestCaseData> RoundTripTexts()
    {
        yield return new TestCaseData("Hello, world!").SetName("Tokenize round-trips plain ASCII");
        yield return new TestCaseData("the answer is 42").SetName("Tokenize round-trips vocabulary words");
        yield return new TestCaseData("emoji 😀🎉👩‍💻 and flags 🇳🇱").SetName("Tokenize round-trips emoji (4-byte UTF-8 and ZWJ sequences)");
        yield return new TestCaseData("CJK 日本語 中文, Greek αβγ, Cyrillic жж").SetName("Tokenize round-trips non-Latin scripts");
        yield return new TestCaseData("e\u0301 a\u0308 combining").SetName("Tokenize round-trips combining marks");
        yield return new TestCaseData("tabs\tnew\nlines\r\nend").SetName("Tokenize round-trips whitespace controls");
        yield return new TestCaseData("nul \u0000 \u0001\u0002\u001b[31m\u001f\u007f bell\u0007").SetName("Tokenize round-trips control bytes including NUL");
        yield return new TestCaseData("  two leading and trailing spaces  ").SetName("Tokenize round-trips runs of spaces");
        yield return new TestCaseData("{\"tool\":\"search\",\"arguments\":{\"q\":\"x\",\"n\":[1,2]}}").SetName("Tokenize round-trips JSON");
        yield return new TestCaseData("<s> </s> <unk> <|im_end|> look like special tokens").SetName("Tokenize round-trips special-token lookalikes as text");
        yield return new TestCaseData(RandomText(new Random(1), 200)).SetName("Tokenize round-trips random code points (seed 1)");
        yield return new TestCaseData(RandomText(new Random(2), 200)).SetName("Tokenize round-trips random code points (seed 2)");
    }

    [TestCaseSource(nameof(RoundTripTexts))]
    public void Tokenize_ThenDecode_ReturnsTheText(string text)
    {
        var tokens = tiny.Tokenize(text, add_bos: true, special: false, Encoding.UTF8);
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, tiny);
        decoder.AddRange(tokens);

        // SentencePiece marks the start of the text as a word boundary, which decodes as one leading space.
        Assert.That(decoder.Read(), Is.EqualTo(" " + text));
    }

    [Test]
    public void Tokenize_CharactersOutsideTheVocabulary_FallBackToTheirUtf8ByteTokens()
    {
        var tokens = tiny.Tokenize("😀", add_bos: false, special: false, Encoding.UTF8);

        var expected = Encoding.UTF8.GetBytes("😀").Select(b => (LLamaToken)(3 + b));
        Assert.Multiple(() =>
        {
            Assert.That(tiny.Vocab.LLamaTokenToString(tokens[0], isSpecialToken: false), Is.EqualTo(" "));
            Assert.That(tokens.Skip(1), Is.EqualTo(expected));
            Assert.That(tokens.Skip(1).Select(token => token.GetAttributes(tiny.Vocab)), Has.All.Matches<LLamaTokenAttr>(a => a.HasFlag(LLamaTokenAttr.Byte)));
        });
    }

    [Test]
    public void Tokenize_CommonWords_AreSinglePieces()
    {
        var tokens = tiny.Tokenize("the and of", add_bos: false, special: false, Encoding.UTF8);

        Assert.That(tokens.Select(token => tiny.Vocab.LLamaTokenToString(token, isSpecialToken: false)), Is.EqualTo(new[] { " the", " and", " of" }));
    }

    [Test]
    public void ChatTemplate_IsAppliedByLlamaCpp_AndItsSpecialTokensAreControlTokens()
    {
        using var weights = LlamaTestLoader.Load(TestModels.GetSynthetic(ChatSpec));

        var template = new LLamaTemplate(weights) { AddAssistant = true };
        template.Add("user", "hi");
        var prompt = Encoding.UTF8.GetString(template.Apply());
        var tokens = weights.Tokenize(prompt, add_bos: false, special: true, Encoding.UTF8);
        var imEnd = (LLamaToken)(ChatSpec.VocabularySize - 1);

        Assert.Multiple(() =>
        {
            Assert.That(weights.Metadata["tokenizer.chat_template"], Is.EqualTo(ChatMlTemplate));
            Assert.That(prompt, Is.EqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"));
            Assert.That(tokens[0], Is.EqualTo((LLamaToken)(ChatSpec.VocabularySize - 2)), "<|im_start|> is one token");
            Assert.That(tokens, Does.Contain(imEnd), "<|im_end|> is one token");
            Assert.That(imEnd.IsControl(weights.Vocab), Is.True);
            Assert.That(imEnd.IsEndOfGeneration(weights.Vocab), Is.True, "llama.cpp treats <|im_end|> as end of generation");
        });
    }

    [Test]
    public void ChatTemplate_WhenNotSet_LlamaCppReportsThatTheModelHasNone()
    {
        Assert.That(() => new LLamaTemplate(tiny), Throws.InstanceOf<TemplateNotFoundException>());
    }

    // Random code points from several planes, excluding surrogates (not text) and U+2581, which SentencePiece
    // tokenizers use for spaces and so decode as a space.
    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            var codePoint = random.Next(4) switch
            {
                0 => random.Next(0x01, 0x80),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x800, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            if (codePoint is >= 0xD800 and <= 0xDFFF or 0x2581)
            {
                continue;
            }

            text.Append(char.ConvertFromUtf32(codePoint));
        }

        return text.ToString();
    }
}
