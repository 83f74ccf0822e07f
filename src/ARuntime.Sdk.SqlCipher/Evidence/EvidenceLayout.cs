namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// How the evidence tables address records and tiles (docs/storage.md). A record's row id packs its tenant's number and
/// its leaf index, so each tenant's records are one contiguous, append-ordered range of the table's B-tree and a record
/// row (leaf and sealed payloads, often over 1 KiB) stays on its table page. Tiles are C2SP tlog-tiles of height 8.
/// </summary>
internal static class EvidenceLayout
{
    /// <summary>The number of low bits of a row id that hold the leaf index.</summary>
    public const int IndexBits = 40;

    /// <summary>The largest leaf index a tenant's log can hold (2^40 - 1).</summary>
    public const long MaxLeafIndex = (1L << IndexBits) - 1;

    /// <summary>The height of a tile: a tile at tile level L holds up to 256 consecutive node hashes of tree level 8·L.</summary>
    public const int TileHeight = 8;

    /// <summary>The number of hashes in a full tile.</summary>
    public const int TileWidth = 1 << TileHeight;

    /// <summary>The size of a full tile in bytes.</summary>
    public const int TileBytes = TileWidth * MerkleTree.HashSize;

    /// <summary>Returns the row id of a tenant's leaf: tenant number · 2^40 + leaf index.</summary>
    public static long RowId(long tenantNo, long leafIndex) => (tenantNo << IndexBits) | leafIndex;

    /// <summary>Returns the row id of a tenant's first leaf.</summary>
    public static long FirstRowId(long tenantNo) => tenantNo << IndexBits;

    /// <summary>Returns the leaf index a row id addresses.</summary>
    public static long LeafIndexOf(long rowId) => rowId & MaxLeafIndex;
}
