using System.Buffers.Binary;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The <c>payloads</c> column of a record row: each payload's sealed value in payload order, each preceded by its length
/// as a 4-byte big-endian integer (length 0: that payload was erased). Erasing a record's payloads sets the column to NULL.
/// </summary>
internal static class SealedPayloads
{
    public static byte[] Pack(IReadOnlyList<byte[]?> sealedValues)
    {
        var length = 0;
        foreach (var value in sealedValues)
        {
            length += 4 + (value?.Length ?? 0);
        }

        var packed = new byte[length];
        var offset = 0;
        foreach (var value in sealedValues)
        {
            BinaryPrimitives.WriteInt32BigEndian(packed.AsSpan(offset), value?.Length ?? 0);
            offset += 4;
            if (value is not null)
            {
                value.CopyTo(packed, offset);
                offset += value.Length;
            }
        }

        return packed;
    }

    /// <summary>Splits a packed column into its sealed values (null where erased).</summary>
    /// <exception cref="FormatException">The column is malformed.</exception>
    public static List<byte[]?> Unpack(ReadOnlySpan<byte> packed)
    {
        var values = new List<byte[]?>(1);
        while (!packed.IsEmpty)
        {
            if (packed.Length < 4)
            {
                throw new FormatException("A sealed payload's length is truncated.");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(packed);
            if (length < 0 || length > packed.Length - 4)
            {
                throw new FormatException("A sealed payload's length exceeds the column.");
            }

            values.Add(length == 0 ? null : packed.Slice(4, length).ToArray());
            packed = packed[(4 + length)..];
        }

        return values;
    }
}
