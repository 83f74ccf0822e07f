using System.Security.Cryptography;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The writer side of the per-tenant evidence logs: assigns leaf indexes, stores records, leaf hashes and the interior
/// nodes each append completes, updates the tree heads and signs checkpoints every N records or T time. Runs only on the
/// writer loop, inside its transactions.
/// </summary>
internal sealed class EvidenceLog : IDisposable
{
    private const int SqliteConstraint = 19;

    private readonly SqliteConnection connection;
    private readonly CheckpointSigner signer;
    private readonly SqlCipherStoreOptions options;
    private readonly ILogger logger;
    private readonly Dictionary<string, TenantLogState> tenants = new(StringComparer.Ordinal);
    private readonly HashSet<string> dirty = new(StringComparer.Ordinal);
    private readonly List<(TenantLogState State, long Size, long Ticks, string Note)> pendingCheckpoints = [];
    private readonly List<(int Level, long Index, byte[] Hash)> completed = [];
    private readonly SqliteCommand insertRecord;
    private readonly List<(string TenantId, int Level, long Index, byte[] Hash)> pendingNodes = [];
    private readonly List<(string TenantId, long Index, int Payload, string? Subject, byte[] Sealed)> pendingPayloads = [];
    private readonly Dictionary<(string Table, int Rows), SqliteCommand> multiRowInserts = [];

    public EvidenceLog(SqliteConnection connection, CheckpointSigner signer, SqlCipherStoreOptions options, ILogger logger)
    {
        this.connection = connection;
        this.signer = signer;
        this.options = options;
        this.logger = logger;
        insertRecord = connection.Command(
            "INSERT INTO evidence_record(tenant_id, leaf_index, record_id, request_id, correlation_id, stage, kind, outcome, timestamp_ticks, retention, leaf) " +
            "VALUES ($tenant, $index, $record, $request, $correlation, $stage, $kind, $outcome, $ticks, $retention, $leaf)");
        foreach (var name in new[] { "$tenant", "$index", "$record", "$request", "$correlation", "$stage", "$kind", "$outcome", "$ticks", "$retention", "$leaf" })
        {
            insertRecord.Parameters.Add(new SqliteParameter(name, null));
        }
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

        var index = state.Range.Size;
        var leaf = EvidenceLeafCodec.Assemble(evidence.LeafPrefix, index, evidence.LeafSuffix);
        var p = insertRecord.Parameters;
        p[0].Value = evidence.TenantId;
        p[1].Value = index;
        p[2].Value = evidence.RecordId;
        p[3].Value = evidence.RequestId;
        p[4].Value = (object?)evidence.CorrelationId ?? DBNull.Value;
        p[5].Value = evidence.Stage;
        p[6].Value = evidence.Kind;
        p[7].Value = evidence.Outcome;
        p[8].Value = evidence.TimestampTicks;
        p[9].Value = evidence.Retention;
        p[10].Value = leaf;
        try
        {
            insertRecord.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new EvidenceWriteException($"An evidence record with id '{evidence.RecordId}' already exists in tenant '{evidence.TenantId}'; record ids are unique per tenant.", ex);
        }

        var leafHash = MerkleTree.HashLeaf(leaf);
        completed.Clear();
        state.Range.Append(leafHash, completed);
        // Nodes and payload rows are inserted in bulk (multi-row INSERTs) before the batch commits or before the next
        // operation that reads or deletes them.
        pendingNodes.Add((evidence.TenantId, 0, index, leafHash));
        foreach (var (level, nodeIndex, hash) in completed)
        {
            pendingNodes.Add((evidence.TenantId, level, nodeIndex, hash));
        }

        foreach (var payload in evidence.Payloads)
        {
            pendingPayloads.Add((evidence.TenantId, index, payload.Index, payload.Subject, payload.Sealed));
        }

        dirty.Add(evidence.TenantId);
        return index;
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

        WriteTreeHead(state, now);
        MakeCheckpoint(state, state.Range.Root(), now);
    }

    /// <summary>Checkpoints every tenant whose uncheckpointed records are older than the interval (the timer's work).</summary>
    public void CheckpointDue(DateTimeOffset now)
    {
        var due = new List<string>();
        using (var command = connection.Command(
            "SELECT t.tenant_id FROM evidence_tree t WHERE t.tree_size > COALESCE((SELECT max(c.tree_size) FROM evidence_checkpoint c WHERE c.tenant_id = t.tenant_id), 0)"))
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
            if (state.Inconsistency is null && now.UtcTicks - state.CheckpointTicks >= options.CheckpointInterval.Ticks && !dirty.Contains(tenantId))
            {
                        MakeCheckpoint(state, state.Range.Root(), now);
            }
        }
    }

    /// <summary>Inserts the buffered Merkle nodes and payload rows.</summary>
    public void FlushPending()
    {
        Flush("merkle_node(tenant_id, level, node_index, hash)", 4, pendingNodes, (p, i, row) =>
        {
            p[i].Value = row.TenantId;
            p[i + 1].Value = row.Level;
            p[i + 2].Value = row.Index;
            p[i + 3].Value = row.Hash;
        });
        Flush("evidence_payload(tenant_id, leaf_index, payload_index, subject, sealed)", 5, pendingPayloads, (p, i, row) =>
        {
            p[i].Value = row.TenantId;
            p[i + 1].Value = row.Index;
            p[i + 2].Value = row.Payload;
            p[i + 3].Value = (object?)row.Subject ?? DBNull.Value;
            p[i + 4].Value = row.Sealed;
        });
    }

    /// <summary>Writes the tree heads of the tenants the batch touched and the checkpoints that are due.</summary>
    public void FinishBatch(WriteContext context)
    {
        FlushPending();
        foreach (var tenantId in dirty)
        {
            var state = tenants[tenantId];
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
        pendingNodes.Clear();
        pendingPayloads.Clear();
        dirty.Clear();
        pendingCheckpoints.Clear();
    }

    /// <summary>Forgets a tenant's cached state (after its rows changed outside the append path).</summary>
    public void Forget(string tenantId) => tenants.Remove(tenantId);

    public void Dispose()
    {
        insertRecord.Dispose();
        foreach (var command in multiRowInserts.Values)
        {
            command.Dispose();
        }
    }

    private TenantLogState GetOrLoad(string tenantId)
    {
        if (tenants.TryGetValue(tenantId, out var cached))
        {
            return cached;
        }

        long size = 0;
        byte[]? storedRoot = null;
        using (var command = connection.Command("SELECT tree_size, root_hash FROM evidence_tree WHERE tenant_id = $t").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                size = reader.GetInt64(0);
                storedRoot = reader.GetBytes(1);
            }
        }

        var subtrees = new List<byte[]>();
        string? inconsistency = null;
        using (var command = connection.Command("SELECT hash FROM merkle_node WHERE tenant_id = $t AND level = $l AND node_index = $i"))
        {
            command.Parameters.AddWithValue("$t", tenantId);
            var level = command.Parameters.AddWithValue("$l", 0);
            var index = command.Parameters.AddWithValue("$i", 0L);
            foreach (var (l, i) in CompactRange.Decompose(size))
            {
                level.Value = l;
                index.Value = i;
                if (command.ExecuteScalar() is byte[] hash)
                {
                    subtrees.Add(hash);
                }
                else
                {
                    inconsistency = $"The evidence log of tenant '{tenantId}' is missing Merkle node ({l}, {i}) of its {size}-record tree; it was altered outside the store. Verify it before writing more.";
                    break;
                }
            }
        }

        var range = inconsistency is null ? new CompactRange(size, subtrees) : CompactRange.Empty();
        if (inconsistency is null && storedRoot is not null && !CryptographicOperations.FixedTimeEquals(range.Root(), storedRoot))
        {
            inconsistency = $"The stored root of tenant '{tenantId}''s evidence log does not match its Merkle nodes; it was altered outside the store. Verify it before writing more.";
        }

        var state = new TenantLogState(tenantId, OriginFor(options, tenantId), range) { Inconsistency = inconsistency };
        using (var command = connection.Command("SELECT tree_size, created_ticks FROM evidence_checkpoint WHERE tenant_id = $t ORDER BY tree_size DESC LIMIT 1").With("$t", tenantId))
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                state.CheckpointSize = reader.GetInt64(0);
                state.CheckpointTicks = reader.GetInt64(1);
            }
        }

        if (inconsistency is not null)
        {
            Log.EvidenceLogInconsistent(logger, tenantId);
        }

        tenants[tenantId] = state;
        return state;
    }

    private void Flush<T>(string table, int columns, List<T> rows, Action<SqliteParameterCollection, int, T> bind)
    {
        // SQLite 3.15 allows 999 host parameters per statement.
        var chunk = 999 / columns;
        for (var start = 0; start < rows.Count; start += chunk)
        {
            var count = Math.Min(chunk, rows.Count - start);
            if (!multiRowInserts.TryGetValue((table, count), out var command))
            {
                var values = string.Join(", ", Enumerable.Range(0, count).Select(r => "(" + string.Join(", ", Enumerable.Range(0, columns).Select(c => $"?{(r * columns) + c + 1}")) + ")"));
                command = connection.Command($"INSERT INTO {table} VALUES {values}");
                for (var i = 0; i < count * columns; i++)
                {
                    command.Parameters.Add(new SqliteParameter($"?{i + 1}", null));
                }

                // Keep the full-size statement (and a few partial ones) prepared; rebuild the rest.
                if (count == chunk || multiRowInserts.Count < 64)
                {
                    multiRowInserts[(table, count)] = command;
                }
            }

            for (var r = 0; r < count; r++)
            {
                bind(command.Parameters, r * columns, rows[start + r]);
            }

            command.ExecuteNonQuery();
            if (!multiRowInserts.ContainsValue(command))
            {
                command.Dispose();
            }
        }

        rows.Clear();
    }

    private byte[] WriteTreeHead(TenantLogState state, DateTimeOffset now)
    {
        var root = state.Range.Root();
        using var command = connection.Command("INSERT OR REPLACE INTO evidence_tree(tenant_id, tree_size, root_hash, updated_ticks) VALUES ($t, $s, $r, $u)")
            .With("$t", state.TenantId).With("$s", state.Range.Size).With("$r", root).With("$u", now.UtcTicks);
        command.ExecuteNonQuery();
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
