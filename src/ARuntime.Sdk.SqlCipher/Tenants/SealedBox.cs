using System.Security.Cryptography;

namespace ARuntime.Sdk.SqlCipher.Tenants;

/// <summary>
/// AES-256-GCM sealing: version byte 0x01 || 12-byte random nonce || ciphertext || 16-byte tag. The associated data binds
/// a sealed value to where it belongs (tenant, table, row), so a value moved to another row does not open.
/// </summary>
internal static class SealedBox
{
    private const byte Version = 0x01;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedValue = new byte[1 + NonceSize + plaintext.Length + TagSize];
        sealedValue[0] = Version;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceSize, plaintext.Length), sealedValue.AsSpan(1 + NonceSize + plaintext.Length), associatedData);
        return sealedValue;
    }

    public static bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData, out byte[] plaintext)
    {
        plaintext = [];
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Version)
        {
            return false;
        }

        var length = sealedValue.Length - 1 - NonceSize - TagSize;
        var output = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue.Slice(1 + NonceSize, length), sealedValue[^TagSize..], output, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = output;
        return true;
    }
}
