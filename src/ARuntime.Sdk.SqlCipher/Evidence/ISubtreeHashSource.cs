namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Supplies the hash of a perfect subtree: 2^level leaves starting at leaf <c>index * 2^level</c>.</summary>
internal interface ISubtreeHashSource
{
    /// <summary>Returns the hash of the perfect subtree at <paramref name="level"/> and <paramref name="index"/> (level 0 is a leaf hash).</summary>
    byte[] GetPerfectSubtree(int level, long index);
}
