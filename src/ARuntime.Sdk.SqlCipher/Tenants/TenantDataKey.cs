using System.Security.Cryptography;
using System.Text;

namespace ARuntime.Sdk.SqlCipher.Tenants;

/// <summary>
/// A tenant's 256-bit data key: seals the tenant's memory, opted-in raw evidence payloads, idempotency results and paused
/// requests (AES-256-GCM), and keys its blind search index (HMAC-SHA-256 under an HKDF subkey). Destroying it makes all
/// of that unreadable in every copy of the database.
/// </summary>
internal sealed class TenantDataKey : IDisposable
{
    private readonly byte[] key;
    private readonly byte[] indexKey;

    public TenantDataKey(string tenantId, string keyId, byte[] key, long createdTicks)
    {
        TenantId = tenantId;
        KeyId = keyId;
        this.key = key;
        CreatedTicks = createdTicks;
        indexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: [], info: Encoding.UTF8.GetBytes("aruntime-memory-index/1"));
    }

    public string TenantId { get; }

    public string KeyId { get; }

    public long CreatedTicks { get; }

    internal ReadOnlySpan<byte> KeyBytes => key;

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string context) =>
        SealedBox.Seal(key, plaintext, AssociatedData(context));

    public byte[] Open(ReadOnlySpan<byte> sealedValue, string context)
    {
        if (!SealedBox.TryOpen(key, sealedValue, AssociatedData(context), out var plaintext))
        {
            throw new TenantDataUnavailableException(
                $"A sealed value of tenant '{TenantId}' ({context}) does not open with the tenant's data key: it was altered, moved, or sealed under an erased key.");
        }

        return plaintext;
    }

    public bool TryOpen(ReadOnlySpan<byte> sealedValue, string context, out byte[] plaintext) =>
        SealedBox.TryOpen(key, sealedValue, AssociatedData(context), out plaintext);

    /// <summary>Returns the blind-index token of a normalized search term (HMAC-SHA-256, first 12 bytes, hex).</summary>
    public string IndexToken(string term)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(indexKey, Encoding.UTF8.GetBytes(term), mac);
        return "t" + Convert.ToHexStringLower(mac[..12]);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(indexKey);
    }

    private byte[] AssociatedData(string context) => Encoding.UTF8.GetBytes($"aruntime-sealed/1\n{TenantId}\n{KeyId}\n{context}");
}
