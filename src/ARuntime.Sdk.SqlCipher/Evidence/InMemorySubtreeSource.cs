namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Computes perfect subtree hashes from a list of leaf hashes, memoizing interior nodes.</summary>
internal sealed class InMemorySubtreeSource(IReadOnlyList<byte[]> leafHashes) : ISubtreeHashSource
{
    private readonly Dictionary<(int Level, long Index), byte[]> cache = [];

    public byte[] GetPerfectSubtree(int level, long index)
    {
        if (level == 0)
        {
            return leafHashes[checked((int)index)];
        }

        if (cache.TryGetValue((level, index), out var cached))
        {
            return cached;
        }

        var hash = MerkleTree.HashChildren(GetPerfectSubtree(level - 1, index * 2), GetPerfectSubtree(level - 1, (index * 2) + 1));
        cache[(level, index)] = hash;
        return hash;
    }
}
