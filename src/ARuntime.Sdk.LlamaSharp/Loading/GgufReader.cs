using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// Reads a GGUF file's header, metadata and tensor table (never the tensor data), so a bad file gets a typed error
/// before llama.cpp sees it, and model facts are known without loading weights. Follows the GGUF specification
/// (ggml docs/gguf.md), versions 2 and 3, little-endian.
/// </summary>
internal static class GgufReader
{
    /// <summary>"GGUF" read as a little-endian 32-bit number.</summary>
    private const uint Magic = 0x46554747;

    /// <summary>The default alignment of the tensor data section.</summary>
    private const int DefaultAlignment = 32;

    /// <summary>Strings longer than this are treated as corruption, not as a very long template.</summary>
    private const ulong MaxStringBytes = 64UL * 1024 * 1024;

    /// <summary>Strings kept in the metadata (longer ones, e.g. merged vocabularies, are skipped).</summary>
    private const ulong MaxKeptStringBytes = 4UL * 1024 * 1024;

    /// <summary>ggml limits tensors to four dimensions.</summary>
    private const uint MaxDimensions = 4;

    /// <summary>Reads the file's header, metadata and tensor table.</summary>
    /// <param name="path">The file.</param>
    /// <returns>What the file declares.</returns>
    /// <exception cref="ModelFileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidModelFormatException">The file is not GGUF, or its metadata is malformed.</exception>
    /// <exception cref="TruncatedModelFileException">The file ends before its declared content.</exception>
    public static GgufFileInfo Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelFileNotFoundException($"The model file '{path}' does not exist.", path, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ModelFileNotFoundException($"The model file '{path}' cannot be read (access denied, or it is a directory).", path, ex);
        }

        using (stream)
        {
            return Read(stream, path);
        }
    }

    /// <summary>Reads GGUF content from a seekable stream.</summary>
    /// <param name="stream">The stream, positioned at the start of the file.</param>
    /// <param name="path">The path, for messages.</param>
    /// <returns>What the file declares.</returns>
    public static GgufFileInfo Read(Stream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var length = stream.Length;
        var reader = new Reader(new BufferedStream(stream, 64 * 1024), path, length);
        try
        {
            return ReadCore(reader, path, length);
        }
        catch (EndOfStreamException ex)
        {
            throw new TruncatedModelFileException(
                string.Create(CultureInfo.InvariantCulture, $"The model file '{path}' is truncated: it ends ({length:N0} bytes) inside its GGUF header or metadata."),
                path,
                expectedBytes: null,
                actualBytes: length,
                ex);
        }
    }

    private static GgufFileInfo ReadCore(Reader reader, string path, long length)
    {
        if (length < 4 || reader.UInt32() != Magic)
        {
            throw new InvalidModelFormatException($"The file '{path}' is not a GGUF model: it does not start with the GGUF magic number.", path);
        }

        var version = reader.UInt32();
        if (version is not (2 or 3))
        {
            throw new InvalidModelFormatException(
                string.Create(CultureInfo.InvariantCulture, $"The file '{path}' is GGUF version {version}; llama.cpp reads versions 2 and 3."),
                path);
        }

        var tensorCount = reader.UInt64();
        var metadataCount = reader.UInt64();
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (ulong i = 0; i < metadataCount; i++)
        {
            var key = reader.String(MaxKeptStringBytes) ?? throw reader.Malformed("a metadata key is implausibly long");
            var kind = (GgufValueKind)reader.UInt32();
            var value = ReadValue(reader, kind, depth: 0);
            if (value is not null)
            {
                metadata[key] = value;
            }
        }

        var alignment = metadata.TryGetValue("general.alignment", out var a) && a is long al and > 0 and <= 1 << 20 ? (int)al : DefaultAlignment;

        long parameters = 0;
        var tensorEnd = 0L;
        var allTypesKnown = true;
        for (ulong i = 0; i < tensorCount; i++)
        {
            _ = reader.String(MaxKeptStringBytes) ?? throw reader.Malformed("a tensor name is implausibly long");
            var dimensions = reader.UInt32();
            if (dimensions is 0 or > MaxDimensions)
            {
                throw reader.Malformed(string.Create(CultureInfo.InvariantCulture, $"a tensor has {dimensions} dimensions"));
            }

            long elements = 1;
            for (var d = 0; d < dimensions; d++)
            {
                var size = reader.UInt64();
                if (size > (ulong)(long.MaxValue / Math.Max(elements, 1)))
                {
                    throw reader.Malformed("a tensor's dimensions overflow");
                }

                elements *= (long)size;
            }

            var type = reader.UInt32();
            var offset = reader.UInt64();
            if (offset > (ulong)long.MaxValue)
            {
                throw reader.Malformed("a tensor offset overflows");
            }

            parameters = checked(parameters + elements);
            if (GgmlTypeSizes.TryGetByteSize(type, elements, out var bytes))
            {
                tensorEnd = Math.Max(tensorEnd, checked((long)offset + bytes));
            }
            else
            {
                allTypesKnown = false;
                tensorEnd = Math.Max(tensorEnd, (long)offset);
            }
        }

        var dataStart = AlignUp(reader.Position, alignment);
        long? required = tensorCount == 0 ? reader.Position : dataStart + tensorEnd;
        if (required > length)
        {
            throw new TruncatedModelFileException(
                string.Create(CultureInfo.InvariantCulture, $"The model file '{path}' is truncated: its tensors need {required:N0} bytes but the file has {length:N0}."),
                path,
                required,
                length);
        }

        return new GgufFileInfo
        {
            Version = version,
            FileLength = length,
            TensorCount = tensorCount,
            ParameterCount = parameters,
            RequiredLength = allTypesKnown ? required : null,
            Metadata = metadata,
        };
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static object? ReadValue(Reader reader, GgufValueKind kind, int depth) => kind switch
    {
        GgufValueKind.UInt8 => (long)reader.Byte(),
        GgufValueKind.Int8 => (long)(sbyte)reader.Byte(),
        GgufValueKind.UInt16 => (long)reader.UInt16(),
        GgufValueKind.Int16 => (long)(short)reader.UInt16(),
        GgufValueKind.UInt32 => (long)reader.UInt32(),
        GgufValueKind.Int32 => (long)(int)reader.UInt32(),
        GgufValueKind.UInt64 => reader.UInt64() is var u && u <= long.MaxValue ? (long)u : u,
        GgufValueKind.Int64 => (long)reader.UInt64(),
        GgufValueKind.Float32 => (double)BitConverter.Int32BitsToSingle((int)reader.UInt32()),
        GgufValueKind.Float64 => BitConverter.Int64BitsToDouble((long)reader.UInt64()),
        GgufValueKind.Bool => reader.Byte() != 0,
        GgufValueKind.String => reader.String(MaxKeptStringBytes),
        GgufValueKind.Array => ReadArray(reader, depth),
        _ => throw reader.Malformed(string.Create(CultureInfo.InvariantCulture, $"unknown metadata value type {(uint)kind}")),
    };

    private static GgufArray ReadArray(Reader reader, int depth)
    {
        if (depth > 2)
        {
            throw reader.Malformed("metadata arrays are nested too deeply");
        }

        var elementKind = (GgufValueKind)reader.UInt32();
        var count = reader.UInt64();
        var fixedSize = elementKind switch
        {
            GgufValueKind.UInt8 or GgufValueKind.Int8 or GgufValueKind.Bool => 1,
            GgufValueKind.UInt16 or GgufValueKind.Int16 => 2,
            GgufValueKind.UInt32 or GgufValueKind.Int32 or GgufValueKind.Float32 => 4,
            GgufValueKind.UInt64 or GgufValueKind.Int64 or GgufValueKind.Float64 => 8,
            GgufValueKind.String or GgufValueKind.Array => 0,
            _ => throw reader.Malformed(string.Create(CultureInfo.InvariantCulture, $"unknown array element type {(uint)elementKind}")),
        };

        if (fixedSize > 0)
        {
            if (count > (ulong)long.MaxValue / (ulong)fixedSize)
            {
                throw reader.Malformed("an array length overflows");
            }

            reader.Skip((long)count * fixedSize);
        }
        else
        {
            for (ulong i = 0; i < count; i++)
            {
                if (elementKind == GgufValueKind.String)
                {
                    reader.SkipString();
                }
                else
                {
                    _ = ReadArray(reader, depth + 1);
                }
            }
        }

        return new GgufArray(elementKind, count);
    }

    /// <summary>Little-endian primitive reads that turn a short read into <see cref="EndOfStreamException"/>.</summary>
    private sealed class Reader(Stream stream, string path, long length)
    {
        private readonly byte[] scratch = new byte[8];

        public long Position { get; private set; }

        public byte Byte()
        {
            Fill(1);
            return scratch[0];
        }

        public ushort UInt16()
        {
            Fill(2);
            return BinaryPrimitives.ReadUInt16LittleEndian(scratch);
        }

        public uint UInt32()
        {
            Fill(4);
            return BinaryPrimitives.ReadUInt32LittleEndian(scratch);
        }

        public ulong UInt64()
        {
            Fill(8);
            return BinaryPrimitives.ReadUInt64LittleEndian(scratch);
        }

        /// <summary>Reads a string; returns <see langword="null"/> (after skipping it) when it is longer than <paramref name="keepLimit"/>.</summary>
        public string? String(ulong keepLimit)
        {
            var size = CheckedStringLength();
            if (size > keepLimit)
            {
                Skip((long)size);
                return null;
            }

            var buffer = new byte[(int)size];
            ReadExactly(buffer);
            return Encoding.UTF8.GetString(buffer);
        }

        public void SkipString() => Skip((long)CheckedStringLength());

        public void Skip(long count)
        {
            if (count > length - Position)
            {
                throw new EndOfStreamException();
            }

            stream.Seek(count, SeekOrigin.Current);
            Position += count;
        }

        public InvalidModelFormatException Malformed(string what) =>
            new(string.Create(CultureInfo.InvariantCulture, $"The file '{path}' is not a valid GGUF model: {what} (at byte {Position:N0})."), path);

        private ulong CheckedStringLength()
        {
            var size = UInt64();
            if (size > (ulong)(length - Position))
            {
                throw new EndOfStreamException();
            }

            if (size > MaxStringBytes)
            {
                throw Malformed("a string is implausibly long");
            }

            return size;
        }

        private void Fill(int count) => ReadExactly(scratch.AsSpan(0, count));

        private void ReadExactly(Span<byte> destination)
        {
            stream.ReadExactly(destination);
            Position += destination.Length;
        }
    }
}
