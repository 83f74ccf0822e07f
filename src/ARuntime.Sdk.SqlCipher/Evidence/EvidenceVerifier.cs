using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Verifies a tenant's log from the records up: every record's leaf against the leaf hash committed at its position (the
/// level-0 tiles), the higher tiles and tree head against a tree rebuilt from the leaves, every signed checkpoint against
/// the rebuilt tree, and every stored payload against its salted commitment. The committed leaf hashes, kept apart from
/// the records and indexed by position, are what lets a change to the records be located and told apart (modified,
/// deleted, inserted, reordered).
/// </summary>
internal sealed class EvidenceVerifier(SqliteConnection connection, string tenantId, TenantKeyring keyring, IReadOnlyList<CheckpointVerifier> verifiers, SqlCipherStoreOptions options, DateTimeOffset now)
{
    private const string MemoryItemAttribute = "memory.itemId";


    public EvidenceVerificationReport Verify(CancellationToken cancellationToken)
    {
        var (tenantNo, treeSize, storedRoot) = SqlCipherEvidenceStore.ReadHead(connection, tenantId);
        if (tenantNo == 0)
        {
            return Report(EvidenceTamperKind.None, 0, null, 0, null, null);
        }

        // The committed leaf hashes by position: the level-0 tiles, consecutive, each full but the last.
        var committed = new List<byte[]>();
        using (var command = connection.Command("SELECT tile_index, hashes FROM evidence_tile WHERE tenant_no = $n AND level = 0 ORDER BY tile_index").With("$n", tenantNo))
        using (var reader = command.ExecuteReader())
        {
            var previousFull = true;
            while (reader.Read())
            {
                var tileIndex = reader.GetInt64(0);
                var hashes = reader.GetBytes(1);
                if (tileIndex != committed.Count >> EvidenceLayout.TileHeight || !previousFull || hashes.Length % MerkleTree.HashSize != 0 || hashes.Length > EvidenceLayout.TileBytes)
                {
                    return Report(EvidenceTamperKind.TreeMismatch, treeSize, committed.Count, committed.Count, null, $"The committed leaf hashes from position {committed.Count} on are missing or malformed (tile {tileIndex}).");
                }

                for (var offset = 0; offset < hashes.Length; offset += MerkleTree.HashSize)
                {
                    committed.Add(hashes.AsSpan(offset, MerkleTree.HashSize).ToArray());
                }

                previousFull = hashes.Length == EvidenceLayout.TileBytes;
            }
        }

        if (committed.Count != treeSize)
        {
            return Report(EvidenceTamperKind.TreeMismatch, treeSize, Math.Min(committed.Count, treeSize), Math.Min(committed.Count, treeSize), null, $"The tree head says {treeSize} records but {committed.Count} leaf hashes are committed.");
        }

        var positionOf = new Dictionary<string, long>(committed.Count, StringComparer.Ordinal);
        for (var i = 0; i < committed.Count; i++)
        {
            positionOf[Convert.ToHexString(committed[i])] = i;
        }

        // The records as stored, by position: every row in the tenant's row id range.
        var rows = new List<Row>();
        using (var command = connection.Command(
            "SELECT id, tenant_no, record_id, request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, leaf, payloads, subject FROM evidence_record WHERE id BETWEEN $first AND $last ORDER BY id")
            .With("$first", EvidenceLayout.FirstRowId(tenantNo)).With("$last", EvidenceLayout.RowId(tenantNo, EvidenceLayout.MaxLeafIndex)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(new Row(
                    EvidenceLayout.LeafIndexOf(reader.GetInt64(0)), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetNullableString(4), reader.GetInt32(5), reader.GetString(6),
                    reader.GetInt32(7), reader.GetInt64(8), reader.GetInt32(9), CanonicalLeaf(reader.GetBytes(10)), reader.IsDBNull(11) ? null : reader.GetBytes(11), reader.GetNullableString(12)));
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
                if (!ColumnsMatch(rowAt[p], tenantNo, out var columnProblem))
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

        // The stored tiles above level 0 and the tree head against the tree rebuilt from the verified leaves: each tile
        // level L must hold exactly the treeSize >> 8L complete nodes of tree level 8L, each matching the records.
        var rebuilt = new InMemorySubtreeSource(committed);
        var stored = new Dictionary<int, long>();
        using (var command = connection.Command("SELECT level, tile_index, hashes FROM evidence_tile WHERE tenant_no = $n AND level > 0 ORDER BY level, tile_index").With("$n", tenantNo))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var tileLevel = reader.GetInt32(0);
                var level = tileLevel * EvidenceLayout.TileHeight;
                var hashes = reader.GetBytes(2);
                var firstNode = reader.GetInt64(1) << EvidenceLayout.TileHeight;
                for (var j = 0; j * MerkleTree.HashSize < hashes.Length; j++)
                {
                    var node = firstNode + j;
                    var first = level >= 63 ? long.MaxValue : node << level;
                    var width = level >= 63 ? long.MaxValue : 1L << level;
                    if (hashes.Length % MerkleTree.HashSize != 0 || first > treeSize - width
                        || !rebuilt.GetPerfectSubtree(level, node).AsSpan().SequenceEqual(hashes.AsSpan(j * MerkleTree.HashSize, MerkleTree.HashSize)))
                    {
                        var start = Math.Min(first, treeSize);
                        return Report(EvidenceTamperKind.TreeMismatch, treeSize, start, treeSize, RecordIdAt(start), $"The stored tree hash over records {start}..{Math.Min(first + width, treeSize) - 1} (tile {tileLevel}/{node >> EvidenceLayout.TileHeight}) does not match the records.");
                    }
                }

                stored[tileLevel] = stored.GetValueOrDefault(tileLevel) + (hashes.Length / MerkleTree.HashSize);
            }
        }

        for (var tileLevel = 1; tileLevel * EvidenceLayout.TileHeight < 63 && treeSize >> (tileLevel * EvidenceLayout.TileHeight) > 0; tileLevel++)
        {
            var expected = treeSize >> (tileLevel * EvidenceLayout.TileHeight);
            var have = stored.GetValueOrDefault(tileLevel);
            if (have != expected)
            {
                var start = have << (tileLevel * EvidenceLayout.TileHeight);
                return Report(EvidenceTamperKind.TreeMismatch, treeSize, Math.Min(start, treeSize), treeSize, RecordIdAt(start), $"Tile level {tileLevel} holds {have} tree hashes where the {treeSize}-record tree has {expected}.");
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

        // Payloads against their commitments. A payload may be missing only when something erased it: an erasure record
        // naming its record, the tenant's erasure (its key is gone), the retention purge (the period has passed), or the
        // deletion of the memory item the record is about (deleting an item erases the evidence payloads about it).
        var key = keyring.TryGet(tenantId);
        var memorySubjects = new HashSet<string>(StringComparer.Ordinal);
        using (var command = connection.Command("SELECT item_id FROM memory_item WHERE tenant_id = $t").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                memorySubjects.Add(Memory.MemoryRows.Subject(reader.GetString(0)));
            }
        }

        // Only the store's own records count (StoreRecords.RequestId), and a purge only for records before it, no younger than
        // it, of a class that has a retention period: an appended record cannot excuse removals after it or in the future.
        var erasureTargets = new HashSet<string>(StringComparer.Ordinal);
        var purges = new List<(long Position, RetentionClass Retention, long Cutoff)>();
        long lastTenantErasure = -1;
        foreach (var row in rows)
        {
            if (row.RequestId != StoreRecords.RequestId)
            {
                continue;
            }

            if (row.Kind == StoreRecords.PayloadsErasedKind
                && EvidenceLeafCodec.Decode(row.Leaf).Record.Attributes.TryGetValue(StoreRecords.ErasureTargetAttribute, out var target))
            {
                erasureTargets.Add(target);
            }
            else if (row.Kind == StoreRecords.PayloadsPurgedKind)
            {
                foreach (var (name, value) in EvidenceLeafCodec.Decode(row.Leaf).Record.Attributes)
                {
                    if (name.StartsWith(StoreRecords.PayloadsPurgedCutoffPrefix, StringComparison.Ordinal)
                        && Enum.TryParse<RetentionClass>(name[StoreRecords.PayloadsPurgedCutoffPrefix.Length..], ignoreCase: true, out var retention)
                        && options.Retention.For(retention) is not null
                        && long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var cutoff))
                    {
                        purges.Add((row.Position, retention, Math.Min(cutoff, row.TimestampTicks)));
                    }
                }
            }
            else if (row.Kind == StoreRecords.TenantErasedKind)
            {
                lastTenantErasure = Math.Max(lastTenantErasure, row.Position);
            }
        }

        long payloadsChecked = 0;
        long payloadsErased = 0;
        foreach (var row in rows)
        {
            var decoded = EvidenceLeafCodec.Decode(row.Leaf);
            List<byte[]?> sealedValues;
            try
            {
                sealedValues = row.Payloads is null ? [] : SealedPayloads.Unpack(row.Payloads);
            }
            catch (FormatException)
            {
                return Report(EvidenceTamperKind.PayloadModified, treeSize, row.Position, treeSize, row.RecordId, $"The sealed payloads of the record at position {row.Position} are malformed.", checkpoints, payloadsChecked, payloadsErased);
            }

            if (sealedValues.Count > decoded.Commitments.Count)
            {
                return Report(EvidenceTamperKind.PayloadModified, treeSize, row.Position, treeSize, row.RecordId, $"A payload of the record at position {row.Position} has no commitment in its leaf; it was added.", checkpoints, payloadsChecked, payloadsErased);
            }

            for (var i = 0; i < decoded.Commitments.Count; i++)
            {
                if (i >= sealedValues.Count || sealedValues[i] is not { } sealedValue || key is null)
                {
                    if (key is not null && row.Position > lastTenantErasure && !erasureTargets.Contains(row.RecordId)
                        && !RetentionPassed(row, purges) && !AboutDeletedMemory(row, decoded, memorySubjects))
                    {
                        return Report(EvidenceTamperKind.PayloadRemoved, treeSize, row.Position, treeSize, row.RecordId, $"Payload {i} of the record at position {row.Position} is missing, but nothing erased it (no erasure record names the record, its retention period has not passed, and no deleted memory item explains it): it was removed.", checkpoints, payloadsChecked, payloadsErased);
                    }

                    payloadsErased++;
                    continue;
                }

                if (!key.TryOpen(sealedValue, EvidencePreparer.PayloadContext(row.RecordId, i), out var plaintext)
                    || plaintext.Length <= EvidenceLeafCodec.SaltLength
                    || !TryCanonical(plaintext.AsSpan(EvidenceLeafCodec.SaltLength), out var canonicalPayload)
                    || !EvidenceLeafCodec.Commitment(plaintext.AsSpan(0, EvidenceLeafCodec.SaltLength), canonicalPayload).AsSpan().SequenceEqual(decoded.Commitments[i]))
                {
                    return Report(EvidenceTamperKind.PayloadModified, treeSize, row.Position, treeSize, row.RecordId, $"Payload {i} of the record at position {row.Position} does not match its commitment.", checkpoints, payloadsChecked, payloadsErased);
                }

                payloadsChecked++;
            }
        }

        return Report(EvidenceTamperKind.None, treeSize, null, treeSize, null, null, checkpoints, payloadsChecked, payloadsErased);

        // The id of the record committed at a position, wherever it is stored now (null when it is gone).
        string? RecordIdAt(long position) =>
            position >= 0 && position < committed.Count && rowByHash.TryGetValue(Convert.ToHexString(committed[(int)position]), out var row) ? row.RecordId : null;
    }

    // The canonical leaf of a stored one; bytes that do not decode are kept as they are, so their hash matches nothing and
    // the record is reported as modified.
    private static byte[] CanonicalLeaf(byte[] stored) => TryCanonical(stored, out var canonical) ? canonical : stored;

    private static bool TryCanonical(ReadOnlySpan<byte> stored, out byte[] canonical)
    {
        try
        {
            canonical = CompactJson.Decode(stored);
            return true;
        }
        catch (FormatException)
        {
            canonical = [];
            return false;
        }
    }

    private bool ColumnsMatch(Row row, long tenantNo, out string problem)
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
            : r.TenantId != tenantId ? $"its leaf belongs to tenant '{r.TenantId}'"
            : row.TenantNo != tenantNo ? "its tenant_no column differs from its row id's tenant"
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

    /// <summary>
    /// Whether the record is about a memory item that no longer exists (its deletion erased the payloads). The item is named
    /// by the row's subject or, for records migrated from schema 3 (which kept the subject with the payloads), by the leaf.
    /// </summary>
    private static bool AboutDeletedMemory(Row row, DecodedLeaf decoded, HashSet<string> memorySubjects)
    {
        var subject = row.Subject
            ?? (decoded.Record.Attributes.TryGetValue(MemoryItemAttribute, out var itemId) ? Memory.MemoryRows.Subject(itemId) : null);
        return subject is not null && !memorySubjects.Contains(subject);
    }

    /// <summary>
    /// Whether the retention purge may have erased the record's payloads: a purge record's cutoff for its class is later
    /// than the record, or its class's period as configured now has passed.
    /// </summary>
    private bool RetentionPassed(Row row, List<(long Position, RetentionClass Retention, long Cutoff)> purges) =>
        purges.Exists(p => p.Position > row.Position && p.Retention == (RetentionClass)row.Retention && row.TimestampTicks < p.Cutoff)
        || (options.Retention.For((RetentionClass)row.Retention) is { } period && row.TimestampTicks < RetentionPeriods.CutoffTicks(now, period));

    private sealed record Row(long Position, long TenantNo, string RecordId, string RequestId, string? CorrelationId, int Stage, string Kind, int Outcome, long TimestampTicks, int Retention, byte[] Leaf, byte[]? Payloads, string? Subject);
}
