namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Hashing within a tile.</summary>
internal static class TileMath
{
    /// <summary>Returns the root of a perfect subtree over a power-of-two number of consecutive 32-byte hashes.</summary>
    public static byte[] Root(ReadOnlySpan<byte> hashes)
    {
        var count = hashes.Length / MerkleTree.HashSize;
        if (count == 1)
        {
            return hashes.ToArray();
        }

        var level = new byte[count / 2][];
        for (var i = 0; i < level.Length; i++)
        {
            level[i] = MerkleTree.HashChildren(hashes.Slice(2 * i * MerkleTree.HashSize, MerkleTree.HashSize), hashes.Slice(((2 * i) + 1) * MerkleTree.HashSize, MerkleTree.HashSize));
        }

        for (var width = level.Length; width > 1; width /= 2)
        {
            for (var i = 0; i < width / 2; i++)
            {
                level[i] = MerkleTree.HashChildren(level[2 * i], level[(2 * i) + 1]);
            }
        }

        return level[0];
    }
}
