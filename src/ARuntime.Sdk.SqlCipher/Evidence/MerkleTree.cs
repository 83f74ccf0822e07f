using System.Numerics;
using System.Security.Cryptography;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The Merkle hash tree of RFC 6962 section 2.1 (restated in RFC 9162 section 2.1) with SHA-256: hashing, proof generation
/// over any source of subtree hashes, and proof verification. Third parties can verify this store's proofs with any
/// RFC 6962 implementation.
/// </summary>
public static class MerkleTree
{
    /// <summary>The hash size in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>Gets the root of the empty tree, SHA-256 of the empty string.</summary>
    public static ReadOnlyMemory<byte> EmptyRoot { get; } = SHA256.HashData([]);

    /// <summary>Computes a leaf hash: SHA-256(0x00 || leaf).</summary>
    /// <param name="leaf">The leaf bytes.</param>
    /// <returns>The hash.</returns>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(leaf);
        return hash.GetHashAndReset();
    }

    /// <summary>Computes an interior node hash: SHA-256(0x01 || left || right).</summary>
    /// <param name="left">The left child's hash.</param>
    /// <param name="right">The right child's hash.</param>
    /// <returns>The hash.</returns>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + left.Length + right.Length];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + left.Length)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>Computes the root of a tree over leaf hashes (MTH of RFC 6962).</summary>
    /// <param name="leafHashes">The leaf hashes in order.</param>
    /// <returns>The root hash.</returns>
    public static byte[] ComputeRoot(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        if (leafHashes.Count == 0)
        {
            return EmptyRoot.ToArray();
        }

        var source = new InMemorySubtreeSource(leafHashes);
        return RangeHash(source, 0, leafHashes.Count);
    }

    /// <summary>Generates the inclusion proof (audit path) of leaf <paramref name="leafIndex"/> in the tree of the first <paramref name="treeSize"/> leaves.</summary>
    /// <param name="leafHashes">The leaf hashes in order (at least <paramref name="treeSize"/>).</param>
    /// <param name="leafIndex">The 0-based leaf index.</param>
    /// <param name="treeSize">The tree size.</param>
    /// <returns>The proof, from the leaf's sibling up to the root's child.</returns>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long leafIndex, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, leafHashes.Count);
        return InclusionProof(new InMemorySubtreeSource(leafHashes), leafIndex, treeSize);
    }

    /// <summary>Generates the consistency proof between the trees of the first <paramref name="firstSize"/> and <paramref name="secondSize"/> leaves.</summary>
    /// <param name="leafHashes">The leaf hashes in order (at least <paramref name="secondSize"/>).</param>
    /// <param name="firstSize">The earlier tree size.</param>
    /// <param name="secondSize">The later tree size.</param>
    /// <returns>The proof.</returns>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long firstSize, long secondSize)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(secondSize, leafHashes.Count);
        return ConsistencyProof(new InMemorySubtreeSource(leafHashes), firstSize, secondSize);
    }

    /// <summary>
    /// Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
    /// </summary>
    /// <param name="leafIndex">The 0-based leaf index.</param>
    /// <param name="treeSize">The tree size.</param>
    /// <param name="leafHash">The leaf hash.</param>
    /// <param name="proof">The proof.</param>
    /// <param name="rootHash">The expected root.</param>
    /// <returns><see langword="true"/> when the proof shows the leaf is in the tree with that root.</returns>
    public static bool VerifyInclusion(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> rootHash)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (leafIndex < 0 || leafIndex >= treeSize || leafHash.Length != HashSize || rootHash.Length != HashSize)
        {
            return false;
        }

        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0 || p is null || p.Length != HashSize)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = HashChildren(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = HashChildren(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, rootHash);
    }

    /// <summary>
    /// Verifies a consistency proof (RFC 9162 section 2.1.4.2): the tree of <paramref name="secondSize"/> leaves with root
    /// <paramref name="secondRoot"/> extends the tree of <paramref name="firstSize"/> leaves with root <paramref name="firstRoot"/>.
    /// </summary>
    /// <param name="firstSize">The earlier tree size.</param>
    /// <param name="secondSize">The later tree size.</param>
    /// <param name="firstRoot">The earlier root.</param>
    /// <param name="secondRoot">The later root.</param>
    /// <param name="proof">The proof.</param>
    /// <returns><see langword="true"/> when the later tree is an append-only extension of the earlier one.</returns>
    public static bool VerifyConsistency(long firstSize, long secondSize, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (firstSize < 0 || secondSize < firstSize)
        {
            return false;
        }

        if (firstSize == secondSize)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (firstSize == 0)
        {
            // The empty tree is a prefix of every tree; RFC 9162 defines no proof for it.
            return proof.Count == 0;
        }

        if (proof.Count == 0 || firstRoot.Length != HashSize || secondRoot.Length != HashSize)
        {
            return false;
        }

        foreach (var p in proof)
        {
            if (p is null || p.Length != HashSize)
            {
                return false;
            }
        }

        var path = new List<byte[]>(proof.Count + 1);
        if (BitOperations.IsPow2(firstSize))
        {
            path.Add(firstRoot.ToArray());
        }

        path.AddRange(proof);
        var fn = firstSize - 1;
        var sn = secondSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = HashChildren(c, fr);
                sr = HashChildren(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = HashChildren(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, firstRoot) && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }

    /// <summary>Returns the largest power of two strictly smaller than <paramref name="n"/> (n &gt; 1): RFC 6962's split point k.</summary>
    internal static long SplitPoint(long n) => (long)BitOperations.RoundUpToPowerOf2((ulong)n) >> 1;

    /// <summary>Computes MTH over leaves [start, end) from perfect subtrees, following RFC 6962's recursion.</summary>
    internal static byte[] RangeHash(ISubtreeHashSource source, long start, long end)
    {
        var n = end - start;
        if (n <= 0)
        {
            return EmptyRoot.ToArray();
        }

        if (BitOperations.IsPow2(n) && start % n == 0)
        {
            return source.GetPerfectSubtree(BitOperations.Log2((ulong)n), start >> BitOperations.Log2((ulong)n));
        }

        var k = SplitPoint(n);
        return HashChildren(RangeHash(source, start, start + k), RangeHash(source, start + k, end));
    }

    /// <summary>PATH(m, D[n]) of RFC 6962 section 2.1.1.</summary>
    internal static IReadOnlyList<byte[]> InclusionProof(ISubtreeHashSource source, long leafIndex, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        var proof = new List<byte[]>();
        Path(source, leafIndex, 0, treeSize, proof);
        return proof;
    }

    /// <summary>PROOF(m, D[n]) of RFC 6962 section 2.1.2.</summary>
    internal static IReadOnlyList<byte[]> ConsistencyProof(ISubtreeHashSource source, long firstSize, long secondSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSize, secondSize);
        var proof = new List<byte[]>();
        if (firstSize == 0 || firstSize == secondSize)
        {
            return proof;
        }

        SubProof(source, firstSize, 0, secondSize, true, proof);
        return proof;
    }

    private static void Path(ISubtreeHashSource source, long m, long start, long end, List<byte[]> proof)
    {
        var n = end - start;
        if (n <= 1)
        {
            return;
        }

        var k = SplitPoint(n);
        if (m < start + k)
        {
            Path(source, m, start, start + k, proof);
            proof.Add(RangeHash(source, start + k, end));
        }
        else
        {
            Path(source, m, start + k, end, proof);
            proof.Add(RangeHash(source, start, start + k));
        }
    }

    private static void SubProof(ISubtreeHashSource source, long m, long start, long end, bool completeSubtree, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!completeSubtree)
            {
                proof.Add(RangeHash(source, start, end));
            }

            return;
        }

        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(source, m, start, start + k, completeSubtree, proof);
            proof.Add(RangeHash(source, start + k, end));
        }
        else
        {
            SubProof(source, m - k, start + k, end, false, proof);
            proof.Add(RangeHash(source, start, start + k));
        }
    }
}
