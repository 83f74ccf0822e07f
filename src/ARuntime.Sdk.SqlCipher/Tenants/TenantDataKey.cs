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
    private readonly byte[] associatedDataPrefix;

    // One AES-GCM instance per thread: creating one per seal (an OpenSSL context and key schedule) cost more than the
    // encryption of a typical payload. All are disposed with the key.
    private readonly ThreadLocal<AesGcm> ciphers;
    private int disposed;

    public TenantDataKey(string tenantId, string keyId, byte[] key, long createdTicks)
    {
        TenantId = tenantId;
        KeyId = keyId;
        this.key = key;
        CreatedTicks = createdTicks;
        indexKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: [], info: Encoding.UTF8.GetBytes("aruntime-memory-index/1"));
        associatedDataPrefix = Encoding.UTF8.GetBytes($"aruntime-sealed/1\n{tenantId}\n{keyId}\n");
        ciphers = new ThreadLocal<AesGcm>(() => new AesGcm(this.key, SealedBox.TagSizeInBytes), trackAllValues: true);
    }

    public string TenantId { get; }

    public string KeyId { get; }

    public long CreatedTicks { get; }

    internal ReadOnlySpan<byte> KeyBytes => key;

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string context) =>
        SealedBox.Seal(ciphers.Value!, plaintext, AssociatedData(context));

    public byte[] Open(ReadOnlySpan<byte> sealedValue, string context)
    {
        if (!SealedBox.TryOpen(ciphers.Value!, sealedValue, AssociatedData(context), out var plaintext))
        {
            throw new TenantDataUnavailableException(
                $"A sealed value of tenant '{TenantId}' ({context}) does not open with the tenant's data key: it was altered, moved, or sealed under an erased key.");
        }

        return plaintext;
    }

    public bool TryOpen(ReadOnlySpan<byte> sealedValue, string context, out byte[] plaintext) =>
        SealedBox.TryOpen(ciphers.Value!, sealedValue, AssociatedData(context), out plaintext);

    /// <summary>Returns the blind-index token of a normalized search term (HMAC-SHA-256, first 12 bytes, hex).</summary>
    public string IndexToken(string term)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(indexKey, Encoding.UTF8.GetBytes(term), mac);
        return "t" + Convert.ToHexStringLower(mac[..12]);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        foreach (var cipher in ciphers.Values)
        {
            cipher.Dispose();
        }

        ciphers.Dispose();
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(indexKey);
    }

    private byte[] AssociatedData(string context)
    {
        var data = new byte[associatedDataPrefix.Length + Encoding.UTF8.GetByteCount(context)];
        associatedDataPrefix.CopyTo(data, 0);
        Encoding.UTF8.GetBytes(context, data.AsSpan(associatedDataPrefix.Length));
        return data;
    }
}
