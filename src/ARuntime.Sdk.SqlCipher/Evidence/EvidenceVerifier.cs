using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Verifies a tenant's log from the records up: every record's leaf against the leaf hash committed at its position,
/// the stored interior nodes and tree head against a tree rebuilt from the leaves, every signed checkpoint against the
/// rebuilt tree, and every stored payload against its salted commitment. The committed leaf hashes, indexed by position,
/// are what lets a change to the records be located and told apart (modified, deleted, inserted, reordered).
/// </summary>
internal sealed class EvidenceVerifier(SqliteConnection connection, string tenantId, TenantKeyring keyring, IReadOnlyList<CheckpointVerifier> verifiers, SqlCipherStoreOptions options)
{
    public EvidenceVerificationReport Verify(CancellationToken cancellationToken)
    {
        var (treeSize, storedRoot) = SqlCipherEvidenceStore.ReadHead(connection, tenantId);

        // The committed leaf hashes by position, and each hash's position.
        var committed = new List<byte[]>();
        using (var command = connection.Command("SELECT node_index, hash FROM merkle_node WHERE tenant_id = $t AND level = 0 ORDER BY node_index").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.GetInt64(0) != committed.Count)
                {
                    return Report(EvidenceTamperKind.TreeMismatch, treeSize, 0, committed.Count, null, $"The committed leaf hash at position {committed.Count} is missing.");
                }

                committed.Add(reader.GetBytes(1));
            }
        }

        if (committed.Count != treeSize)
        {
            return Report(EvidenceTamperKind.TreeMismatch, treeSize, 0, Math.Min(committed.Count, treeSize), null, $"The tree head says {treeSize} records but {committed.Count} leaf hashes are committed.");
        }

        var positionOf = new Dictionary<string, long>(committed.Count, StringComparer.Ordinal);
        for (var i = 0; i < committed.Count; i++)
        {
            positionOf[Convert.ToHexString(committed[i])] = i;
        }

        // The records as stored, by position.
        var rows = new List<Row>();
        using (var command = connection.Command(
            "SELECT leaf_index, record_id, request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, leaf FROM evidence_record WHERE tenant_id = $t ORDER BY leaf_index").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(new Row(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetNullableString(3), reader.GetInt32(4), reader.GetString(5),
                    reader.GetInt32(6), reader.GetInt64(7), reader.GetInt32(8), reader.GetBytes(9)));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var hashAt = new Dictionary<long, string>(rows.Count);
        var rowAt = new Dictionary<long, Row>(rows.Count);
        var rowByHash = new Dictionary<string, Row>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var hash = Convert.ToHexString(MerkleTree.HashLeaf(row.Leaf));
            hashAt[row.Position] = hash;
            rowAt[row.Position] = row;
            rowByHash.TryAdd(hash, row);
        }

        var end = Math.Max(treeSize, rows.Count == 0 ? 0 : rows[^1].Position + 1);
        var foundPositions = new HashSet<string>(hashAt.Values, StringComparer.Ordinal);
        for (long p = 0; p < end; p++)
        {
            var expected = p < treeSize ? Convert.ToHexString(committed[(int)p]) : null;
            hashAt.TryGetValue(p, out var actual);
            if (expected is not null && actual == expected)
            {
                if (!ColumnsMatch(rowAt[p], out var columnProblem))
                {
                    return Report(EvidenceTamperKind.Modified, treeSize, p, p, rowAt[p].RecordId, $"The record at position {p} was changed: {columnProblem}.");
                }

                continue;
            }

            if (expected is null)
            {
                return Report(EvidenceTamperKind.Inserted, treeSize, p, p, null, $"A record at position {p} lies beyond the committed tree of {treeSize} records; it was inserted.");
            }

            var committedId = RecordIdAt(p);
            if (actual is null)
            {
                return Report(EvidenceTamperKind.Deleted, treeSize, p, p, committedId, $"The committed record at position {p} is missing.");
            }

            if (!positionOf.TryGetValue(actual, out var ownPosition))
            {
                var next = p + 1 < treeSize && hashAt.TryGetValue(p + 1, out var nextHash) && nextHash == expected;
                return next
                    ? Report(EvidenceTamperKind.Inserted, treeSize, p, p, null, $"A record that was never committed was inserted at position {p}; the committed records from there on are shifted by one.")
                    : Report(EvidenceTamperKind.Modified, treeSize, p, p, committedId ?? rowAt[p].RecordId, $"The record at position {p} differs from the committed record.");
            }

            if (ownPosition > p)
            {
                return foundPositions.Contains(expected)
                    ? Report(EvidenceTamperKind.Reordered, treeSize, p, p, committedId, $"The record committed at position {ownPosition} is stored at position {p}; records were reordered.")
                    : Report(EvidenceTamperKind.Deleted, treeSize, p, p, committedId, $"The committed record at position {p} is missing; the records after it were moved up.");
            }

            return Report(EvidenceTamperKind.Inserted, treeSize, p, p, null, $"A copy of the record committed at position {ownPosition} was inserted at position {p}.");
        }

        cancellationToken.ThrowIfCancellationRequested();

        // The stored interior nodes and tree head against the tree rebuilt from the verified leaves.
        var rebuilt = new InMemorySubtreeSource(committed);
        using (var command = connection.Command("SELECT level, node_index, hash FROM merkle_node WHERE tenant_id = $t AND level > 0").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var level = reader.GetInt32(0);
                var index = reader.GetInt64(1);
                var first = index << level;
                var last = Math.Min(first + (1L << level), treeSize) - 1;
                if (first + (1L << level) > treeSize || !rebuilt.GetPerfectSubtree(level, index).AsSpan().SequenceEqual(reader.GetBytes(2)))
                {
                    return Report(EvidenceTamperKind.TreeMismatch, treeSize, first, treeSize, RecordIdAt(first), $"The stored Merkle node over records {first}..{last} does not match the records.");
                }
            }
        }

        var root = treeSize == 0 ? MerkleTree.EmptyRoot.ToArray() : MerkleTree.RangeHash(rebuilt, 0, treeSize);
        if (!root.AsSpan().SequenceEqual(storedRoot))
        {
            return Report(EvidenceTamperKind.TreeMismatch, treeSize, null, treeSize, null, "The stored tree head does not match the records.");
        }

        // Signed checkpoints: each must verify and match the rebuilt tree at its size.
        var checkpoints = 0;
        using (var command = connection.Command("SELECT tree_size, note FROM evidence_checkpoint WHERE tenant_id = $t ORDER BY tree_size").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                checkpoints++;
                var size = reader.GetInt64(0);
                SignedCheckpoint checkpoint;
                try
                {
                    checkpoint = SignedCheckpoint.Parse(reader.GetString(1), verifiers);
                }
                catch (CheckpointVerificationException ex)
                {
                    return Report(EvidenceTamperKind.CheckpointSignatureInvalid, treeSize, null, treeSize, null, $"The checkpoint at {size} records does not verify: {ex.Message}", checkpoints);
                }

                var expectedOrigin = EvidenceLog.OriginFor(options, tenantId);
                if (checkpoint.TreeSize != size || checkpoint.Origin != expectedOrigin || size > treeSize
                    || !(size == 0 ? MerkleTree.EmptyRoot.ToArray() : MerkleTree.RangeHash(rebuilt, 0, size)).AsSpan().SequenceEqual(checkpoint.RootHash.Span))
                {
                    return Report(EvidenceTamperKind.CheckpointMismatch, treeSize, size > 0 ? size - 1 : null, treeSize, null, $"The signed checkpoint at {size} records does not match the log.", checkpoints);
                }
            }
        }

        // Payloads against their commitments.
        var key = keyring.TryGet(tenantId);
        long payloadsChecked = 0;
        long payloadsErased = 0;
        var sealedRows = new Dictionary<(long, int), byte[]>();
        using (var command = connection.Command("SELECT leaf_index, payload_index, sealed FROM evidence_payload WHERE tenant_id = $t").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                sealedRows[(reader.GetInt64(0), reader.GetInt32(1))] = reader.GetBytes(2);
            }
        }

        foreach (var row in rows)
        {
            var decoded = EvidenceLeafCodec.Decode(row.Leaf);
            for (var i = 0; i < decoded.Commitments.Count; i++)
            {
                if (!sealedRows.Remove((row.Position, i), out var sealedValue))
                {
                    payloadsErased++;
                    continue;
                }

                if (key is null)
                {
                    payloadsErased++;
                    continue;
                }

                if (!key.TryOpen(sealedValue, EvidencePreparer.PayloadContext(row.RecordId, i), out var plaintext)
                    || plaintext.Length <= EvidenceLeafCodec.SaltLength
                    || !EvidenceLeafCodec.Commitment(plaintext.AsSpan(0, EvidenceLeafCodec.SaltLength), plaintext.AsSpan(EvidenceLeafCodec.SaltLength)).AsSpan().SequenceEqual(decoded.Commitments[i]))
                {
                    return Report(EvidenceTamperKind.PayloadModified, treeSize, row.Position, treeSize, row.RecordId, $"Payload {i} of the record at position {row.Position} does not match its commitment.", checkpoints, payloadsChecked, payloadsErased);
                }

                payloadsChecked++;
            }
        }

        if (sealedRows.Count > 0)
        {
            var (position, _) = sealedRows.Keys.Min();
            return Report(EvidenceTamperKind.PayloadModified, treeSize, position, treeSize, RecordIdAt(position), $"A payload row at position {position} has no commitment in its record's leaf; it was added.", checkpoints, payloadsChecked, payloadsErased);
        }

        return Report(EvidenceTamperKind.None, treeSize, null, treeSize, null, null, checkpoints, payloadsChecked, payloadsErased);

        // The id of the record committed at a position, wherever it is stored now (null when it is gone).
        string? RecordIdAt(long position) =>
            position >= 0 && position < committed.Count && rowByHash.TryGetValue(Convert.ToHexString(committed[(int)position]), out var row) ? row.RecordId : null;
    }

    private static bool ColumnsMatch(Row row, out string problem)
    {
        DecodedLeaf decoded;
        try
        {
            decoded = EvidenceLeafCodec.Decode(row.Leaf);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            problem = "its leaf does not decode";
            return false;
        }

        var r = decoded.Record;
        problem = decoded.Index != row.Position ? $"its leaf claims position {decoded.Index}"
            : r.RecordId != row.RecordId ? "its record_id column differs from the committed record"
            : r.RequestId != row.RequestId ? "its request_id column differs from the committed record"
            : r.CorrelationId != row.CorrelationId ? "its correlation_id column differs from the committed record"
            : (int)r.Stage != row.Stage ? "its stage column differs from the committed record"
            : r.Kind != row.Kind ? "its kind column differs from the committed record"
            : (int)r.Outcome != row.Outcome ? "its outcome column differs from the committed record"
            : r.Timestamp.UtcTicks != row.TimestampTicks ? "its timestamp column differs from the committed record"
            : (int)r.Retention != row.Retention ? "its retention column differs from the committed record"
            : string.Empty;
        return problem.Length == 0;
    }

    private EvidenceVerificationReport Report(
        EvidenceTamperKind kind, long treeSize, long? position, long recordsChecked, string? recordId, string? message, int checkpoints = 0, long payloadsChecked = 0, long payloadsErased = 0) => new()
        {
            TenantId = tenantId,
            Kind = kind,
            LeafIndex = position,
            RecordId = recordId,
            Message = message,
            TreeSize = treeSize,
            RecordsChecked = recordsChecked,
            CheckpointsChecked = checkpoints,
            PayloadsChecked = payloadsChecked,
            PayloadsErased = payloadsErased,
        };

    private sealed record Row(long Position, string RecordId, string RequestId, string? CorrelationId, int Stage, string Kind, int Outcome, long TimestampTicks, int Retention, byte[] Leaf);
}
