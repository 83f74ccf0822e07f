using System.Security.Cryptography;

namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>
/// A raw 256-bit database key. It is handed to SQLCipher as a raw key (<c>x'…'</c>), so no passphrase derivation is
/// involved. <see cref="ToString"/> never shows it; <see cref="Dispose"/> zeroes it.
/// </summary>
public sealed class StoreKey : IDisposable
{
    /// <summary>The key length in bytes.</summary>
    public const int Length = 32;

    /// <summary>The key length in hexadecimal characters, the form key files and variables hold.</summary>
    public const int HexLength = Length * 2;

    private readonly byte[] key;
    private bool disposed;

    private StoreKey(byte[] key)
    {
        this.key = key;
    }

    /// <summary>Generates a new random key.</summary>
    /// <returns>The key.</returns>
    public static StoreKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>Creates a key from its 32 bytes.</summary>
    /// <param name="bytes">The key bytes (copied).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static StoreKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A database key is {Length} bytes; got {bytes.Length}.", nameof(bytes));
        }

        return new StoreKey(bytes.ToArray());
    }

    /// <summary>Parses a key from 64 hexadecimal characters (surrounding whitespace is ignored).</summary>
    /// <param name="hex">The text.</param>
    /// <param name="source">Where the text came from, for the error message (never the text itself).</param>
    /// <returns>The key.</returns>
    /// <exception cref="StoreKeyException">The text is not 64 hexadecimal characters.</exception>
    public static StoreKey FromHex(ReadOnlySpan<char> hex, string source = "the key text")
    {
        var trimmed = hex.Trim();
        if (trimmed.Length != HexLength)
        {
            throw new StoreKeyException($"The database key in {source} must be {HexLength} hexadecimal characters (a raw 256-bit key); it has {trimmed.Length} characters.");
        }

        var bytes = new byte[Length];
        if (Convert.FromHexString(trimmed, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new StoreKeyException($"The database key in {source} must be {HexLength} hexadecimal characters (0-9, a-f); it contains other characters.");
        }

        return new StoreKey(bytes);
    }

    /// <summary>Returns the key as 64 lowercase hexadecimal characters, to persist it (for example in a key file). Handle the result as a secret.</summary>
    /// <returns>The hexadecimal key.</returns>
    public string ToHexString()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return Convert.ToHexStringLower(key);
    }

    /// <summary>Returns a copy of the key.</summary>
    /// <returns>A new key holding the same bytes.</returns>
    public StoreKey Clone()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return new StoreKey((byte[])key.Clone());
    }

    /// <inheritdoc />
    public override string ToString() => "[database key]";

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(key);
        disposed = true;
    }

    /// <summary>Writes SQLCipher's raw-key literal <c>x'&lt;64 hex&gt;'</c> as ASCII; the caller zeroes the buffer after use.</summary>
    /// <param name="destination">At least 67 bytes.</param>
    /// <returns>The number of bytes written.</returns>
    internal int WriteRawKeyLiteral(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        destination[0] = (byte)'x';
        destination[1] = (byte)'\'';
        for (var i = 0; i < Length; i++)
        {
            destination[2 + (i * 2)] = HexDigit(key[i] >> 4);
            destination[3 + (i * 2)] = HexDigit(key[i] & 0xF);
        }

        destination[2 + HexLength] = (byte)'\'';
        return HexLength + 3;
    }

    /// <summary>Derives a 256-bit subkey for a purpose (HKDF-SHA-256), so no other use ever sees the database key itself.</summary>
    /// <param name="purpose">The purpose label.</param>
    /// <returns>The subkey.</returns>
    internal byte[] DeriveSubkey(string purpose)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, key, Length, salt: [], info: System.Text.Encoding.UTF8.GetBytes(purpose));
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + (value - 10));
}
