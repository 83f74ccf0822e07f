using ARuntime.Sdk.LlamaSharp.Scheduling;

namespace ARuntime.Sdk.LlamaSharp.Tests.Scheduling;

public sealed class StopSequenceBufferTests
{
    [Test]
    public void TextThatMayStartAStopSequence_IsHeldBackUntilDecided()
    {
        var buffer = new StopSequenceBuffer(["\nUser:"]);

        var released = new[] { buffer.Push("Hello"), buffer.Push("\nUs"), buffer.Push("ually"), buffer.Push(" fine") };

        Assert.Multiple(() =>
        {
            Assert.That(released, Is.EqualTo(new[] { "Hello", string.Empty, "\nUsually", " fine" }));
            Assert.That(buffer.Stopped, Is.False);
        });
    }

    [Test]
    public void StopSequenceSplitAcrossPieces_EndsTheOutputBeforeIt()
    {
        var buffer = new StopSequenceBuffer(["END", "\nUser:"]);

        var released = string.Concat(buffer.Push("The e"), buffer.Push("nd?\nU"), buffer.Push("ser: more"), buffer.Push("ignored"));

        Assert.Multiple(() =>
        {
            Assert.That(buffer.Stopped, Is.True);
            Assert.That(released, Is.EqualTo("The end?"));
            Assert.That(buffer.Emitted, Is.EqualTo("The end?"));
        });
    }

    [Test]
    public void EarliestStopSequenceWins()
    {
        var buffer = new StopSequenceBuffer(["cd", "bcx", "b"]);

        var released = buffer.Push("abcdef");

        Assert.That(released, Is.EqualTo("a"));
    }

    [Test]
    public void Flush_ReleasesHeldBackText()
    {
        var buffer = new StopSequenceBuffer(["###"]);

        var released = buffer.Push("total ##");
        var rest = buffer.Flush();

        Assert.Multiple(() =>
        {
            Assert.That(released, Is.EqualTo("total "));
            Assert.That(rest, Is.EqualTo("##"));
            Assert.That(buffer.Emitted, Is.EqualTo("total ##"));
        });
    }

    [Test]
    public void WithoutStopSequences_EverythingIsReleasedAtOnce()
    {
        var buffer = new StopSequenceBuffer([string.Empty]);

        Assert.That(buffer.Push("abc"), Is.EqualTo("abc"));
    }
}
