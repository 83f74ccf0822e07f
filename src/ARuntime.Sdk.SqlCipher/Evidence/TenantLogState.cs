namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>The writer's view of one tenant's log: its number, its right frontier, its unfinished tiles and when it was last checkpointed.</summary>
internal sealed class TenantLogState(string tenantId, string origin, CompactRange range)
{
    public string TenantId { get; } = tenantId;

    public string Origin { get; } = origin;

    /// <summary>Gets or sets the tenant's number in <c>evidence_log</c> (0 until its first record is written).</summary>
    public long TenantNo { get; set; }

    public CompactRange Range { get; set; } = range;

    /// <summary>Gets the tile being filled at each tile level (index = tile level).</summary>
    public List<TileBuffer> Tiles { get; } = [];

    public long CheckpointSize { get; set; }

    public long CheckpointTicks { get; set; }

    /// <summary>Gets or sets why the stored tree does not add up, when it does not; writes to the tenant then fail closed.</summary>
    public string? Inconsistency { get; set; }

    /// <summary>Returns the tile being filled at a tile level, starting one when the level has none yet.</summary>
    public TileBuffer TileAt(int tileLevel)
    {
        while (Tiles.Count <= tileLevel)
        {
            Tiles.Add(new TileBuffer());
        }

        return Tiles[tileLevel];
    }
}
