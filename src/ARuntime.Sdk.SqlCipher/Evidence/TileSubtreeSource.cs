using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Reads perfect subtree hashes of a tenant's tree from its stored tiles: a node of tree level 8·L + r is the root of
/// 2^r consecutive hashes of one tile at tile level L, hashed up r levels. Tiles are cached for the source's lifetime
/// (one proof or verification reads each needed tile once).
/// </summary>
internal sealed class TileSubtreeSource : ISubtreeHashSource, IDisposable
{
    private readonly SqliteCommand command;
    private readonly SqliteParameter level;
    private readonly SqliteParameter index;
    private readonly string tenantId;
    private readonly Dictionary<(int Level, long Index), byte[]> tiles = [];

    public TileSubtreeSource(SqliteConnection connection, long tenantNo, string tenantId)
    {
        this.tenantId = tenantId;
        command = connection.Command("SELECT hashes FROM evidence_tile WHERE tenant_no = $n AND level = $l AND tile_index = $i");
        command.Parameters.AddWithValue("$n", tenantNo);
        level = command.Parameters.AddWithValue("$l", 0);
        index = command.Parameters.AddWithValue("$i", 0L);
    }

    public byte[] GetPerfectSubtree(int level, long index)
    {
        var tileLevel = level / EvidenceLayout.TileHeight;
        var height = level % EvidenceLayout.TileHeight;
        var first = index << height;
        var count = 1 << height;
        var tile = ReadTile(tileLevel, first >> EvidenceLayout.TileHeight);
        var offset = (int)(first & (EvidenceLayout.TileWidth - 1));
        if (tile.Length < (offset + count) * MerkleTree.HashSize)
        {
            throw new EvidenceIntegrityException(
                $"The evidence log of tenant '{tenantId}' is missing the hashes of tree level {tileLevel * EvidenceLayout.TileHeight} under node ({level}, {index}); it was altered outside the store.");
        }

        return TileMath.Root(tile.AsSpan(offset * MerkleTree.HashSize, count * MerkleTree.HashSize));
    }

    /// <summary>Returns a stored tile, or an empty array when there is none.</summary>
    public byte[] ReadTile(int tileLevel, long tileIndex)
    {
        if (tiles.TryGetValue((tileLevel, tileIndex), out var cached))
        {
            return cached;
        }

        level.Value = tileLevel;
        index.Value = tileIndex;
        var tile = command.ExecuteScalar() as byte[] ?? [];
        tiles[(tileLevel, tileIndex)] = tile;
        return tile;
    }

    public void Dispose() => command.Dispose();
}
