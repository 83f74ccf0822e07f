using System.Text;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Migrations;

/// <summary>
/// The data half of schema step 4: copies each record into its one-row form with its sealed payload rows packed into it,
/// indexes the new table, and turns the stored Merkle nodes of tree levels 0, 8, 16, ... into tiles. It moves the stored
/// values as they are (it recomputes nothing and decrypts nothing), so a log that was altered before the migration is
/// still found altered after it. Then it drops the version-3 tables (secure_delete overwrites their pages).
/// </summary>
internal static class EvidenceRowsMigration
{
    public static void Apply(SqliteConnection connection, SqliteTransaction transaction)
    {
        CopyRecords(connection, transaction);
        using (var indexes = connection.Command(
            """
            CREATE UNIQUE INDEX evidence_record_by_id ON evidence_record(tenant_no, record_id);
            CREATE INDEX evidence_record_by_request ON evidence_record(tenant_no, request_id);
            CREATE INDEX evidence_record_by_correlation ON evidence_record(tenant_no, correlation_id) WHERE correlation_id IS NOT NULL;
            CREATE INDEX evidence_record_by_time ON evidence_record(tenant_no, timestamp_ticks);
            CREATE INDEX evidence_record_by_subject ON evidence_record(tenant_no, subject) WHERE subject IS NOT NULL;
            """,
            transaction))
        {
            // Built after the copy: one sort per index instead of an index insert per row.
            indexes.ExecuteNonQuery();
        }

        BuildTiles(connection, transaction);
        using var drop = connection.Command(
            "DROP TABLE evidence_record_v3; DROP TABLE evidence_payload; DROP TABLE merkle_node; DROP TABLE evidence_tree;", transaction);
        drop.ExecuteNonQuery();
    }

    /// <summary>
    /// Copies each version-3 record with its payload rows packed into one row, in one ordered pass over both tables (their
    /// primary keys are in the same tenant, position order).
    /// </summary>
    private static void CopyRecords(SqliteConnection connection, SqliteTransaction transaction)
    {
        var tenantNumbers = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var command = connection.Command("SELECT tenant_id, tenant_no FROM evidence_log", transaction))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tenantNumbers[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        using var insert = new RawStatement(
            connection,
            "INSERT INTO evidence_record(id, tenant_no, record_id, request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, subject, leaf, payloads) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
        using var records = connection.Command(
            "SELECT tenant_id, leaf_index, record_id, request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, leaf FROM evidence_record_v3 " +
            "WHERE leaf_index BETWEEN 0 AND 1099511627775 ORDER BY tenant_id, leaf_index",
            transaction);
        using var payloads = connection.Command(
            "SELECT tenant_id, leaf_index, payload_index, subject, sealed FROM evidence_payload WHERE payload_index BETWEEN 0 AND 65535 ORDER BY tenant_id, leaf_index, payload_index",
            transaction);
        using var recordReader = records.ExecuteReader();
        using var payloadReader = payloads.ExecuteReader();
        var morePayloads = payloadReader.Read();
        var sealedValues = new List<byte[]?>();
        while (recordReader.Read())
        {
            var tenantId = recordReader.GetString(0);
            var index = recordReader.GetInt64(1);

            // Payload rows without a record (or of an earlier one) have nothing to belong to.
            while (morePayloads && Compare(payloadReader.GetString(0), payloadReader.GetInt64(1), tenantId, index) < 0)
            {
                morePayloads = payloadReader.Read();
            }

            sealedValues.Clear();
            string? subject = null;
            while (morePayloads && Compare(payloadReader.GetString(0), payloadReader.GetInt64(1), tenantId, index) == 0)
            {
                var payloadIndex = payloadReader.GetInt32(2);
                while (sealedValues.Count < payloadIndex)
                {
                    sealedValues.Add(null);
                }

                subject ??= payloadReader.GetNullableString(3);
                sealedValues.Add(payloadReader.GetBytes(4));
                morePayloads = payloadReader.Read();
            }

            var tenantNo = tenantNumbers[tenantId];
            insert.Bind(1, EvidenceLayout.RowId(tenantNo, index));
            insert.Bind(2, tenantNo);
            insert.BindText(3, Encoding.UTF8.GetBytes(recordReader.GetString(2)));
            insert.BindText(4, Encoding.UTF8.GetBytes(recordReader.GetString(3)));
            insert.BindText(5, recordReader.GetNullableString(4) is { } correlation ? Encoding.UTF8.GetBytes(correlation) : null);
            insert.Bind(6, recordReader.GetInt64(5));
            insert.BindText(7, Encoding.UTF8.GetBytes(recordReader.GetString(6)));
            insert.Bind(8, recordReader.GetInt64(7));
            insert.Bind(9, recordReader.GetInt64(8));
            insert.Bind(10, recordReader.GetInt64(9));
            insert.BindText(11, subject is null ? null : Encoding.UTF8.GetBytes(subject));
            insert.BindBlob(12, recordReader.GetBytes(10));
            insert.BindBlob(13, sealedValues.Count == 0 ? null : SealedPayloads.Pack(sealedValues));
            insert.Execute();
        }
    }

    /// <summary>Compares (tenant, position) keys the way the queries' ORDER BY does: tenant ids by their UTF-8 bytes (SQLite's BINARY collation).</summary>
    private static int Compare(string tenantA, long indexA, string tenantB, long indexB)
    {
        if (string.Equals(tenantA, tenantB, StringComparison.Ordinal))
        {
            return indexA.CompareTo(indexB);
        }

        return Encoding.UTF8.GetBytes(tenantA).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(tenantB));
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
