using System.Buffers.Binary;
using System.Text;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// Writes GGUF primitives (always little-endian, whatever the host) through one reusable buffer, so a model of any size
/// is streamed to its destination without being held in memory. Tracks the byte position itself so alignment padding
/// works on non-seekable streams too.
/// </summary>
internal sealed class GgufStreamWriter
{
    private const int BufferSize = 1 << 16;

    // Strict: a lone surrogate must fail loudly, never be replaced by U+FFFD in a token or template.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream destination;
    private readonly byte[] buffer = new byte[BufferSize];
    private int used;

    public GgufStreamWriter(Stream destination) => this.destination = destination;

    /// <summary>Gets the number of bytes written so far (flushed or buffered).</summary>
    public long Position { get; private set; }

    /// <summary>Gets the largest span <see cref="GetSpan"/> can return.</summary>
    public static int MaxSpanSize => BufferSize;

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);

    public void WriteFloat32(float value) => BinaryPrimitives.WriteSingleLittleEndian(GetSpan(4), value);

    public void WriteBool(bool value) => GetSpan(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes a GGUF string: a uint64 byte length, then the UTF-8 bytes with no terminator.</summary>
    public void WriteString(string value)
    {
        var length = StrictUtf8.GetByteCount(value);
        WriteUInt64((ulong)length);
        if (length <= BufferSize)
        {
            StrictUtf8.GetBytes(value, GetSpan(length));
        }
        else
        {
            WriteBytes(StrictUtf8.GetBytes(value));
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var chunk = Math.Min(bytes.Length, BufferSize);
            bytes[..chunk].CopyTo(GetSpan(chunk));
            bytes = bytes[chunk..];
        }
    }

    /// <summary>Writes zero bytes up to the next multiple of <paramref name="alignment"/>.</summary>
    public void PadTo(int alignment)
    {
        var padding = (int)((alignment - (Position % alignment)) % alignment);
        GetSpan(padding).Clear();
    }

    public void WriteKeyHeader(string key, GgufValueType type)
    {
        WriteString(key);
        WriteUInt32((uint)type);
    }

    public void WriteArrayHeader(string key, GgufValueType elementType, int count)
    {
        WriteKeyHeader(key, GgufValueType.Array);
        WriteUInt32((uint)elementType);
        WriteUInt64((ulong)count);
    }

    /// <summary>
    /// Reserves <paramref name="size"/> bytes (at most <see cref="MaxSpanSize"/>) in the buffer, counts them as written,
    /// and returns them for the caller to fill before the next call.
    /// </summary>
    public Span<byte> GetSpan(int size)
    {
        if (BufferSize - used < size)
        {
            Flush();
        }

        var span = buffer.AsSpan(used, size);
        used += size;
        Position += size;
        return span;
    }

    public void Flush()
    {
        if (used > 0)
        {
            destination.Write(buffer, 0, used);
            used = 0;
        }
    }
}
