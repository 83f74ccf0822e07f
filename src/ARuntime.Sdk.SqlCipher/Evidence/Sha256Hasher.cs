using System.Security.Cryptography;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// SHA-256 through one reusable hash object per thread. Every evidence write hashes its payload commitments, its leaf and
/// about one interior node; the one-shot <see cref="SHA256.HashData(ReadOnlySpan{byte})"/> sets up a new native digest
/// context per call, which profiling showed to cost more than hashing the bytes.
/// </summary>
internal static class Sha256Hasher
{
    [ThreadStatic]
    private static IncrementalHash? hash;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var h = hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(data);
        h.GetHashAndReset(destination);
    }

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var result = new byte[MerkleTree.HashSize];
        Hash(data, result);
        return result;
    }
}
