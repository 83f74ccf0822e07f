using System.Buffers.Binary;
using System.Security.Cryptography;
using ARuntime.Sdk.Testing.Gguf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Gguf;

[TestFixture]
public sealed class SyntheticGgufBuilderTests
{
    private string directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), $"aruntime-gguf-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestCase(GgufTensorType.F32)]
    [TestCase(GgufTensorType.F16)]
    public void Write_SameSpecTwice_WritesIdenticalBytes(GgufTensorType weightType)
    {
        var spec = SyntheticModelSpec.Tiny with { WeightType = weightType, ChatTemplate = "{{ messages }}", SpecialTokens = ["<|end|>"] };
        var first = Path.Combine(directory, "first.gguf");
        var second = Path.Combine(directory, "second.gguf");

        SyntheticGgufBuilder.Write(spec, first);
        SyntheticGgufBuilder.Write(spec with { }, second);

        Assert.That(File.ReadAllBytes(second), Is.EqualTo(File.ReadAllBytes(first)));
    }

    [Test]
    public void Write_DifferentSeeds_WriteDifferentWeights()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();

        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, first);
        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny with { Seed = 7 }, second);

        Assert.Multiple(() =>
        {
            Assert.That(second.Length, Is.EqualTo(first.Length), "the seed changes values, not the layout");
            Assert.That(SHA256.HashData(second.ToArray()), Is.Not.EqualTo(SHA256.HashData(first.ToArray())));
        });
    }

    [Test]
    public void Write_StartsWithTheGgufV3Header_AndSizeMatchesTheParameterCount()
    {
        using var stream = new MemoryStream();

        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, stream);

        var bytes = stream.ToArray();
        var tensorCount = 3 + (9 * SyntheticModelSpec.Tiny.Layers);
        Assert.Multiple(() =>
        {
            Assert.That(bytes.AsSpan(0, 4).ToArray(), Is.EqualTo("GGUF"u8.ToArray()));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)), Is.EqualTo(3));
            Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)), Is.EqualTo(tensorCount));

            // Tensor data is 4 bytes per F32 parameter plus at most one alignment gap per tensor; the header is small.
            var data = SyntheticModelSpec.Tiny.ParameterCount * 4;
            Assert.That(bytes.Length, Is.InRange(data, data + (tensorCount * SyntheticGgufBuilder.Alignment) + 64_000));
        });
    }

    [Test]
    public void Write_F16_IsAboutHalfTheSizeOfF32()
    {
        using var f32 = new MemoryStream();
        using var f16 = new MemoryStream();

        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, f32);
        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny with { WeightType = GgufTensorType.F16 }, f16);

        Assert.That((double)f16.Length / f32.Length, Is.InRange(0.5, 0.6));
    }

    [Test]
    public void Write_ToNonSeekableStream_WritesTheSameBytesAsToAFile()
    {
        var path = Path.Combine(directory, "model.gguf");
        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, path);
        using var sink = new MemoryStream();
        using var forwardOnly = new ForwardOnlyStream(sink);

        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, forwardOnly);

        Assert.That(sink.ToArray(), Is.EqualTo(File.ReadAllBytes(path)));
    }

    [Test]
    public void Write_ToReadOnlyStream_ThrowsNamingTheStream()
    {
        using var readOnly = new MemoryStream([], writable: false);

        var exception = Assert.Throws<ArgumentException>(() => SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, readOnly));

        Assert.That(exception!.ParamName, Is.EqualTo("destination"));
    }

    [Test]
    public void Write_Cancelled_DeletesThePartialFile()
    {
        var path = Path.Combine(directory, "cancelled.gguf");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws(Is.InstanceOf<OperationCanceledException>(),
            () => SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, path, cancellation.Token));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Write_CreatesMissingDirectories()
    {
        var path = Path.Combine(directory, "a", "b", "model.gguf");

        SyntheticGgufBuilder.Write(SyntheticModelSpec.Tiny, path);

        Assert.That(new FileInfo(path).Length, Is.GreaterThan(SyntheticModelSpec.Tiny.ParameterCount * 4));
    }

    [Test]
    public void WriteToTempFile_WritesANewFileEachTime()
    {
        var first = SyntheticGgufBuilder.WriteToTempFile(SyntheticModelSpec.Tiny);
        var second = SyntheticGgufBuilder.WriteToTempFile(SyntheticModelSpec.Tiny);
        try
        {
            Assert.Multiple(() =>
            {
                Assert.That(second, Is.Not.EqualTo(first));
                Assert.That(File.ReadAllBytes(second), Is.EqualTo(File.ReadAllBytes(first)));
            });
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    /// <summary>A write-only stream that cannot seek or report its length, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
