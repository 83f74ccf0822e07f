namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The right edge of an append-only Merkle tree: the roots of the perfect subtrees covering all leaves so far (one per set
/// bit of the size, largest first). Appending a leaf merges equal-sized subtrees and yields the interior nodes it
/// completes; the root is the right fold of the subtrees, which is RFC 6962's MTH.
/// </summary>
internal sealed class CompactRange
{
    private readonly List<byte[]> subtrees;

    public CompactRange(long size, IEnumerable<byte[]> subtrees)
    {
        Size = size;
        this.subtrees = [.. subtrees];
        if (this.subtrees.Count != System.Numerics.BitOperations.PopCount((ulong)size))
        {
            throw new ArgumentException("The subtrees do not match the tree size.", nameof(subtrees));
        }
    }

    public long Size { get; private set; }

    public IReadOnlyList<byte[]> Subtrees => subtrees;

    public static CompactRange Empty() => new(0, []);

    public CompactRange Clone() => new(Size, subtrees);

    /// <summary>Appends a leaf hash and reports each interior node it completes as (level, index, hash).</summary>
    public void Append(byte[] leafHash, List<(int Level, long Index, byte[] Hash)> completed)
    {
        var index = Size;
        var node = leafHash;
        var level = 0;
        while (((index >> level) & 1) == 1)
        {
            var left = subtrees[^1];
            subtrees.RemoveAt(subtrees.Count - 1);
            node = MerkleTree.HashChildren(left, node);
            level++;
            completed.Add((level, index >> level, node));
        }

        subtrees.Add(node);
        Size++;
    }

    /// <summary>Returns the tree's root hash.</summary>
    public byte[] Root()
    {
        if (subtrees.Count == 0)
        {
            return MerkleTree.EmptyRoot.ToArray();
        }

        var root = subtrees[^1];
        for (var i = subtrees.Count - 2; i >= 0; i--)
        {
            root = MerkleTree.HashChildren(subtrees[i], root);
        }

        return root;
    }

    /// <summary>Returns the (level, index) of each perfect subtree a tree of <paramref name="size"/> leaves decomposes into, largest first.</summary>
    public static IEnumerable<(int Level, long Index)> Decompose(long size)
    {
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            var width = 1L << level;
            if ((size & width) != 0)
            {
                yield return (level, start >> level);
                start += width;
            }
        }
    }
}
