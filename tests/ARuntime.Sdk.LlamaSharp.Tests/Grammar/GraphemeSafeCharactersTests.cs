using System.Globalization;
using ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>
/// minLength counts text elements (grapheme clusters) in JsonSchema.Net; the compiler starts strings with characters
/// that are each a text element of their own. This checks every one of them against .NET's segmentation.
/// </summary>
[TestFixture]
public sealed class GraphemeSafeCharactersTests
{
    [Test]
    public void EverySafeCharacter_IsItsOwnTextElementNextToAnyOther()
    {
        var set = JsonStringGrammar.GraphemeSafe;

        // One representative per grapheme-break class that occurs in the set, plus its own neighbours.
        int[] probes = ['a', '\n', '\t', 0xAC00 /* LV */, 0xAC01 /* LVT */, 0x4E00, 0x1F600 /* pictographic */, '"'];
        var failures = new List<string>();
        foreach (var (lo, hi) in set.Ranges)
        {
            for (var c = lo; c <= hi; c++)
            {
                foreach (var probe in probes.Append(c))
                {
                    if (!set.Contains(probe))
                    {
                        continue;
                    }

                    foreach (var pair in new[] { (c, probe), (probe, c) })
                    {
                        var text = char.ConvertFromUtf32(pair.Item1) + char.ConvertFromUtf32(pair.Item2);
                        if (new StringInfo(text).LengthInTextElements != 2)
                        {
                            failures.Add(string.Create(CultureInfo.InvariantCulture, $"U+{pair.Item1:X4} U+{pair.Item2:X4}"));
                        }
                    }
                }
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [TestCase(0x0301)]
    [TestCase(0x200D)]
    [TestCase('\r')]
    [TestCase(0x1100)]
    [TestCase(0x1F1E6)]
    [TestCase(0x0E33)]
    [TestCase(0x00AD)]
    public void JoiningCharacters_AreNotSafe(int codePoint) =>
        Assert.That(JsonStringGrammar.GraphemeSafe.Contains(codePoint), Is.False);

    [Test]
    public void ByteFallbackSafeMode_DropsOverlongProneCharacters()
    {
        var safe = new JsonStringGrammar(byteFallbackSafe: true);
        var raw = new JsonStringGrammar(byteFallbackSafe: false);

        Assert.Multiple(() =>
        {
            Assert.That(safe.RawCharacters.Contains(0x0915), Is.False);
            Assert.That(safe.RawCharacters.Contains(0x1F600), Is.False);
            Assert.That(safe.RawCharacters.Contains(0x00E9), Is.True);
            Assert.That(safe.RawCharacters.Contains(0x4E2D), Is.True);
            Assert.That(safe.GraphemeSafeCharacters.Contains(0x1F600), Is.False);
            Assert.That(raw.RawCharacters.Contains(0x0915), Is.True);
            Assert.That(raw.RawCharacters.Contains(0x1F600), Is.True);
        });
    }
}
