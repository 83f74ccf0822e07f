using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Migrations;

/// <summary>
/// The data half of schema step 4: packs each record's sealed payload rows into its record row and turns the stored
/// Merkle nodes of tree levels 0, 8, 16, ... into tiles. It moves the stored values as they are (it recomputes nothing),
/// so a log that was altered before the migration is still found altered after it. Then it drops the version-3 tables.
/// </summary>
internal static class EvidenceRowsMigration
{
    public static void Apply(SqliteConnection connection, SqliteTransaction transaction)
    {
        PackPayloads(connection, transaction);
        BuildTiles(connection, transaction);
        using var drop = connection.Command(
            "DROP TABLE evidence_record_v3; DROP TABLE evidence_payload; DROP TABLE merkle_node; DROP TABLE evidence_tree;", transaction);
        drop.ExecuteNonQuery();
    }

    private static void PackPayloads(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var update = connection.Command("UPDATE evidence_record SET payloads = $p WHERE id = $id", transaction);
        var packed = update.Parameters.Add("$p", SqliteType.Blob);
        var rowId = update.Parameters.Add("$id", SqliteType.Integer);
        using var select = connection.Command(
            "SELECT l.tenant_no * 1099511627776 + p.leaf_index, p.payload_index, p.sealed FROM evidence_payload p JOIN evidence_log l ON l.tenant_id = p.tenant_id " +
            "WHERE p.leaf_index BETWEEN 0 AND 1099511627775 AND p.payload_index BETWEEN 0 AND 65535 ORDER BY 1, 2",
            transaction);
        using var reader = select.ExecuteReader();
        long current = -1;
        var values = new List<byte[]?>();
        void Flush()
        {
            if (current >= 0)
            {
                packed.Value = SealedPayloads.Pack(values);
                rowId.Value = current;
                update.ExecuteNonQuery();
            }

            values.Clear();
        }

        while (reader.Read())
        {
            var id = reader.GetInt64(0);
            if (id != current)
            {
                Flush();
                current = id;
            }

            var payloadIndex = reader.GetInt32(1);
            while (values.Count < payloadIndex)
            {
                values.Add(null);
            }

            values.Add(reader.GetBytes(2));
        }

        Flush();
    }

    private static void BuildTiles(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var insert = connection.Command("INSERT INTO evidence_tile(tenant_no, level, tile_index, hashes) VALUES ($n, $l, $i, $h)", transaction);
        var tenant = insert.Parameters.Add("$n", SqliteType.Integer);
        var level = insert.Parameters.Add("$l", SqliteType.Integer);
        var index = insert.Parameters.Add("$i", SqliteType.Integer);
        var hashes = insert.Parameters.Add("$h", SqliteType.Blob);
        using var select = connection.Command(
            "SELECT l.tenant_no, m.level / 8, m.node_index, m.hash FROM merkle_node m JOIN evidence_log l ON l.tenant_id = m.tenant_id " +
            "WHERE m.level % 8 = 0 AND m.node_index >= 0 AND length(m.hash) = 32 ORDER BY 1, 2, 3",
            transaction);
        using var reader = select.ExecuteReader();
        var buffer = new byte[EvidenceLayout.TileBytes];
        (long Tenant, int Level, long Tile) current = (-1, -1, -1);
        var count = 0;
        long expected = 0;
        var gap = false;
        void Flush()
        {
            if (count > 0)
            {
                tenant.Value = current.Tenant;
                level.Value = current.Level;
                index.Value = current.Tile;
                hashes.Value = buffer.AsSpan(0, count * MerkleTree.HashSize).ToArray();
                insert.ExecuteNonQuery();
            }

            count = 0;
        }

        while (reader.Read())
        {
            var tenantNo = reader.GetInt64(0);
            var tileLevel = reader.GetInt32(1);
            var node = reader.GetInt64(2);
            if (tenantNo != current.Tenant || tileLevel != current.Level)
            {
                Flush();
                current = (tenantNo, tileLevel, 0);
                expected = 0;
                gap = false;
            }

            // A tile holds consecutive nodes; a missing node ends what can be carried over (verification reports it).
            if (gap || node != expected)
            {
                gap = true;
                continue;
            }

            var tile = node >> EvidenceLayout.TileHeight;
            if (tile != current.Tile)
            {
                Flush();
                current.Tile = tile;
            }

            reader.GetBytes(3).CopyTo(buffer, count * MerkleTree.HashSize);
            count++;
            expected++;
        }

        Flush();
    }
}
