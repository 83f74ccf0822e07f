namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>The tile being filled at one tile level of a tenant's tree: its index and the hashes it has so far.</summary>
internal sealed class TileBuffer
{
    public long TileIndex { get; set; }

    public byte[] Hashes { get; } = new byte[EvidenceLayout.TileBytes];

    public int Count { get; set; }

    /// <summary>Gets or sets whether hashes were added since the tile was last written.</summary>
    public bool Dirty { get; set; }

    /// <summary>Gets the index of the next node this tile takes.</summary>
    public long NextNode => (TileIndex << EvidenceLayout.TileHeight) + Count;
}
