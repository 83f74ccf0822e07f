using System.Security.Cryptography;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The writer side of the per-tenant evidence logs: assigns leaf indexes, inserts one row per record, keeps each tree's
/// right frontier in memory, stores the tree as C2SP-style tiles (full tiles once, the unfinished tile of each level once
/// per batch), updates the tree heads and signs checkpoints every N records or T time. Runs only on the writer loop,
/// inside its transactions.
/// </summary>
internal sealed class EvidenceLog : IDisposable
{
    private const int SqliteConstraint = 19;

    private readonly SqliteConnection connection;
    private readonly CheckpointSigner signer;
    private readonly SqlCipherStoreOptions options;
    private readonly ILogger logger;
    private readonly Dictionary<string, TenantLogState> tenants = new(StringComparer.Ordinal);
    private readonly HashSet<TenantLogState> dirty = [];
    private readonly List<(TenantLogState State, long Size, long Ticks, string Note)> pendingCheckpoints = [];
    private readonly List<(int Level, long Index, byte[] Hash)> completed = [];
    private readonly RawStatement insertRecord;
    private readonly RawStatement writeTile;
    private readonly RawStatement writeHead;
    private byte[] leafBuffer = new byte[2048];
    private byte[] storedBuffer = new byte[1024];

    public EvidenceLog(SqliteConnection connection, CheckpointSigner signer, SqlCipherStoreOptions options, ILogger logger)
    {
        this.connection = connection;
        this.signer = signer;
        this.options = options;
        this.logger = logger;
        insertRecord = new RawStatement(
            connection,
            "INSERT INTO evidence_record(id, tenant_no, record_id, request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, subject, leaf, payloads) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
        writeTile = new RawStatement(connection, "INSERT OR REPLACE INTO evidence_tile(tenant_no, level, tile_index, hashes) VALUES (?1, ?2, ?3, ?4)");
        writeHead = new RawStatement(connection, "UPDATE evidence_log SET tree_size = ?2, root_hash = ?3, updated_ticks = ?4 WHERE tenant_no = ?1");
    }

    /// <summary>Gets the checkpoint origin of a tenant's log.</summary>
    public static string OriginFor(SqlCipherStoreOptions options, string tenantId) => $"{options.CheckpointOrigin}/{Uri.EscapeDataString(tenantId)}";

    /// <summary>Appends a record to its tenant's log and returns its leaf index.</summary>
    public long Append(PreparedEvidence evidence)
    {
        var state = GetOrLoad(evidence.TenantId);
        if (state.Inconsistency is { } problem)
        {
            throw new EvidenceWriteException(problem);
        }

        if (state.TenantNo == 0)
        {
            Register(state);
        }

        var index = state.Range.Size;
        if (index > EvidenceLayout.MaxLeafIndex)
        {
            throw new EvidenceWriteException($"The evidence log of tenant '{evidence.TenantId}' is full ({EvidenceLayout.MaxLeafIndex + 1} records).");
        }

        // The leaf hash input is 0x00 || leaf; the row stores the leaf alone.
        var needed = 1 + evidence.LeafTemplate.Length + 20;
        if (leafBuffer.Length < needed)
        {
            leafBuffer = new byte[Math.Max(needed, leafBuffer.Length * 2)];
        }

        leafBuffer[0] = 0x00;
        var length = EvidenceLeafCodec.Assemble(evidence.LeafTemplate, evidence.IndexOffset, index, leafBuffer.AsSpan(1));
        var s = insertRecord;
        s.Bind(1, EvidenceLayout.RowId(state.TenantNo, index));
        s.Bind(2, state.TenantNo);
        s.BindText(3, evidence.RecordIdUtf8);
        s.BindText(4, evidence.RequestIdUtf8);
        s.BindText(5, evidence.CorrelationIdUtf8);
        s.Bind(6, evidence.Stage);
        s.BindText(7, evidence.KindUtf8);
        s.Bind(8, evidence.Outcome);
        s.Bind(9, evidence.TimestampTicks);
        s.Bind(10, evidence.Retention);
        s.BindText(11, evidence.SubjectUtf8);
        s.BindBlob(12, StoredLeaf(evidence, index, leafBuffer.AsSpan(1, length)));
        s.BindBlob(13, evidence.Payloads);
        try
        {
            s.Execute();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new EvidenceWriteException($"An evidence record with id '{evidence.RecordId}' already exists in tenant '{evidence.TenantId}'; record ids are unique per tenant.", ex);
        }

        var leafHash = Sha256Hasher.Hash(leafBuffer.AsSpan(0, 1 + length));
        completed.Clear();
        state.Range.Append(leafHash, completed);
        AddToTile(state, 0, index, leafHash);
        foreach (var (level, nodeIndex, hash) in completed)
        {
            if (level % EvidenceLayout.TileHeight == 0)
            {
                AddToTile(state, level / EvidenceLayout.TileHeight, nodeIndex, hash);
            }
        }

        dirty.Add(state);
        return index;
    }

    // The row stores the leaf in its compact form (CompactJson) when the preparer made one.
    private ReadOnlySpan<byte> StoredLeaf(PreparedEvidence evidence, long index, ReadOnlySpan<byte> canonical)
    {
        if (evidence.StoredLeafTemplate is not { } template)
        {
            return canonical;
        }

        var needed = template.Length + 20;
        if (storedBuffer.Length < needed)
        {
            storedBuffer = new byte[Math.Max(needed, storedBuffer.Length * 2)];
        }

        return storedBuffer.AsSpan(0, EvidenceLeafCodec.Assemble(template, evidence.StoredIndexOffset, index, storedBuffer));
    }

    /// <summary>Signs a checkpoint of a tenant's log now (when it has records not yet checkpointed, or <paramref name="force"/>).</summary>
    public void Checkpoint(string tenantId, DateTimeOffset now, bool force)
    {
        var state = GetOrLoad(tenantId);
        if (state.Inconsistency is { } problem)
        {
            throw new EvidenceWriteException(problem);
        }

        if (state.Range.Size == 0 || (!force && state.Range.Size == state.CheckpointSize))
        {
            return;
        }

        WriteTiles(state);
        var root = WriteTreeHead(state, now);
        MakeCheckpoint(state, root, now);
    }

    /// <summary>Checkpoints every tenant whose uncheckpointed records are older than the interval (the timer's work).</summary>
    public void CheckpointDue(DateTimeOffset now)
    {
        var due = new List<string>();
        using (var command = connection.Command(
            "SELECT l.tenant_id FROM evidence_log l WHERE l.tree_size > COALESCE((SELECT max(c.tree_size) FROM evidence_checkpoint c WHERE c.tenant_id = l.tenant_id), 0)"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                due.Add(reader.GetString(0));
            }
        }

        foreach (var tenantId in due)
        {
            var state = GetOrLoad(tenantId);
            if (state.Inconsistency is null && now.UtcTicks - state.CheckpointTicks >= options.CheckpointInterval.Ticks && !dirty.Contains(state))
            {
                MakeCheckpoint(state, state.Range.Root(), now);
            }
        }
    }

    /// <summary>Writes the unfinished tiles and tree heads of the tenants the batch touched and the checkpoints that are due.</summary>
    public void FinishBatch(WriteContext context)
    {
        foreach (var state in dirty)
        {
            WriteTiles(state);
            var root = WriteTreeHead(state, context.Now);
            if (state.Range.Size - state.CheckpointSize >= options.CheckpointEveryRecords
                || (options.CheckpointInterval > TimeSpan.Zero && context.Now.UtcTicks - state.CheckpointTicks >= options.CheckpointInterval.Ticks))
            {
                if (!pendingCheckpoints.Exists(c => c.State == state && c.Size == state.Range.Size))
                {
                    MakeCheckpoint(state, root, context.Now);
                }
            }
        }
    }

    /// <summary>After COMMIT: the new checkpoints are now durable; record them and export copies.</summary>
    public void AfterCommit()
    {
        dirty.Clear();
        foreach (var (state, size, ticks, note) in pendingCheckpoints)
        {
            state.CheckpointSize = size;
            state.CheckpointTicks = ticks;
            Export(state.TenantId, note);
        }

        pendingCheckpoints.Clear();
    }

    /// <summary>After a rollback: forget cached tenant state (it is reloaded from the database).</summary>
    public void Abort()
    {
        tenants.Clear();
        dirty.Clear();
        pendingCheckpoints.Clear();
    }

    public void Dispose()
    {
        insertRecord.Dispose();
        writeTile.Dispose();
        writeHead.Dispose();
    }

    private TenantLogState GetOrLoad(string tenantId)
    {
        if (tenants.TryGetValue(tenantId, out var cached))
        {
            return cached;
        }

        long tenantNo = 0;
        long size = 0;
        byte[]? storedRoot = null;
        using (var command = connection.Command("SELECT tenant_no, tree_size, root_hash FROM evidence_log WHERE tenant_id = $t").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                tenantNo = reader.GetInt64(0);
                size = reader.GetInt64(1);
                storedRoot = reader.GetBytes(2);
            }
        }

        var state = new TenantLogState(tenantId, OriginFor(options, tenantId), CompactRange.Empty()) { TenantNo = tenantNo };
        if (tenantNo != 0)
        {
            state.Inconsistency = LoadTree(state, size, storedRoot!);
        }

        using (var command = connection.Command("SELECT tree_size, created_ticks FROM evidence_checkpoint WHERE tenant_id = $t ORDER BY tree_size DESC LIMIT 1").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                state.CheckpointSize = reader.GetInt64(0);
                state.CheckpointTicks = reader.GetInt64(1);
            }
        }

        if (state.Inconsistency is not null)
        {
            Log.EvidenceLogInconsistent(logger, tenantId);
        }

        tenants[tenantId] = state;
        return state;
    }

    /// <summary>Rebuilds the frontier and the unfinished tiles from the stored tiles; returns why they do not add up, if they do not.</summary>
    private string? LoadTree(TenantLogState state, long size, byte[] storedRoot)
    {
        var altered = $"The evidence log of tenant '{state.TenantId}' was altered outside the store";
        using var source = new TileSubtreeSource(connection, state.TenantNo, state.TenantId);
        try
        {
            state.Range = new CompactRange(size, CompactRange.Decompose(size).Select(s => source.GetPerfectSubtree(s.Level, s.Index)));
        }
        catch (EvidenceIntegrityException ex)
        {
            return $"{altered} ({ex.Message}). Verify it before writing more.";
        }

        for (var tileLevel = 0; ; tileLevel++)
        {
            var nodes = size >> (EvidenceLayout.TileHeight * tileLevel);
            if (nodes == 0)
            {
                break;
            }

            var buffer = state.TileAt(tileLevel);
            buffer.TileIndex = nodes >> EvidenceLayout.TileHeight;
            buffer.Count = (int)(nodes & (EvidenceLayout.TileWidth - 1));
            if (buffer.Count > 0)
            {
                var tile = source.ReadTile(tileLevel, buffer.TileIndex);
                if (tile.Length != buffer.Count * MerkleTree.HashSize)
                {
                    return $"{altered}: its unfinished tile ({tileLevel}, {buffer.TileIndex}) holds {tile.Length / MerkleTree.HashSize} hashes where its {size}-record tree has {buffer.Count}. Verify it before writing more.";
                }

                tile.CopyTo(buffer.Hashes, 0);
            }
        }

        if (!CryptographicOperations.FixedTimeEquals(state.Range.Root(), storedRoot))
        {
            return $"The stored root of tenant '{state.TenantId}''s evidence log does not match its tiles; it was altered outside the store. Verify it before writing more.";
        }

        return null;
    }

    private void Register(TenantLogState state)
    {
        using var command = connection.Command("INSERT INTO evidence_log(tenant_id, tree_size, root_hash, updated_ticks) VALUES ($t, 0, $r, 0)")
            .With("$t", state.TenantId).With("$r", MerkleTree.EmptyRoot.ToArray());
        command.ExecuteNonQuery();
        state.TenantNo = connection.ScalarInt64("SELECT last_insert_rowid()") ?? throw new InvalidOperationException("The tenant was not registered.");
    }

    private void AddToTile(TenantLogState state, int tileLevel, long nodeIndex, byte[] hash)
    {
        var tile = state.TileAt(tileLevel);
        if (nodeIndex != tile.NextNode)
        {
            throw new InvalidOperationException($"Tile level {tileLevel} of tenant '{state.TenantId}' expected node {tile.NextNode}, got {nodeIndex}.");
        }

        hash.CopyTo(tile.Hashes, tile.Count * MerkleTree.HashSize);
        tile.Count++;
        tile.Dirty = true;
        if (tile.Count == EvidenceLayout.TileWidth)
        {
            // A full tile is written once and never changes.
            WriteTile(state, tileLevel, tile);
            tile.TileIndex++;
            tile.Count = 0;
            tile.Dirty = false;
        }
    }

    private void WriteTiles(TenantLogState state)
    {
        for (var level = 0; level < state.Tiles.Count; level++)
        {
            var tile = state.Tiles[level];
            if (tile.Dirty && tile.Count > 0)
            {
                WriteTile(state, level, tile);
                tile.Dirty = false;
            }
        }
    }

    private void WriteTile(TenantLogState state, int level, TileBuffer tile)
    {
        writeTile.Bind(1, state.TenantNo);
        writeTile.Bind(2, level);
        writeTile.Bind(3, tile.TileIndex);
        writeTile.BindBlob(4, tile.Hashes.AsSpan(0, tile.Count * MerkleTree.HashSize));
        writeTile.Execute();
    }

    private byte[] WriteTreeHead(TenantLogState state, DateTimeOffset now)
    {
        var root = state.Range.Root();
        writeHead.Bind(1, state.TenantNo);
        writeHead.Bind(2, state.Range.Size);
        writeHead.BindBlob(3, root);
        writeHead.Bind(4, now.UtcTicks);
        writeHead.Execute();
        return root;
    }

    private void MakeCheckpoint(TenantLogState state, byte[] root, DateTimeOffset now)
    {
        var note = signer.SignNote(SignedCheckpoint.FormatBody(state.Origin, state.Range.Size, root));
        using var command = connection.Command("INSERT OR REPLACE INTO evidence_checkpoint(tenant_id, tree_size, root_hash, created_ticks, note) VALUES ($t, $s, $r, $c, $n)")
            .With("$t", state.TenantId).With("$s", state.Range.Size).With("$r", root).With("$c", now.UtcTicks).With("$n", note);
        command.ExecuteNonQuery();
        pendingCheckpoints.Add((state, state.Range.Size, now.UtcTicks, note));
    }

    private void Export(string tenantId, string note)
    {
        if (options.CheckpointExportDirectory is not { Length: > 0 } directory)
        {
            return;
        }

        try
        {
            CheckpointFiles.Write(directory, tenantId, note);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CheckpointExportFailed(logger, tenantId, directory, ex);
        }
    }
}
