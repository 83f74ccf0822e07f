using System.Runtime.CompilerServices;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The evidence plane on SQLCipher: an append-only RFC 6962 Merkle log per tenant, written through the group-commit
/// writer, with signed C2SP checkpoints, inclusion and consistency proofs, tamper location and erasable payloads. Every
/// read is scoped to one tenant.
/// </summary>
public sealed class SqlCipherEvidenceStore : IEvidenceSink, IEvidenceReader
{
    private const int PageSize = 256;

    private readonly StoreServices services;
    private readonly EvidencePreparer preparer;

    internal SqlCipherEvidenceStore(StoreServices services)
    {
        this.services = services;
        preparer = new EvidencePreparer(services);
    }

    /// <summary>Gets the verifier key (<c>name+keyid+base64</c>) of the key that signs this store's checkpoints.</summary>
    public string CheckpointVerifierKey => services.Signer.VerifierKey;

    /// <summary>Gets the writer's health: whether the last commit succeeded, the last error, and how many acknowledged records were lost.</summary>
    public EvidenceStoreHealth Health => services.Health.Snapshot(services.Writer.Pending);

    /// <inheritdoc />
    /// <remarks>
    /// After a batch failed, writes are not queued blindly (an acknowledged write would return and then fail as well): each
    /// first tries an empty commit, and while the database still refuses it the write fails at once, handing back the
    /// acknowledged records the failed batches held (<see cref="EvidenceWriteException.UnwrittenRecords"/>), so the runtime
    /// keeps them with this one in its evidence backlog.
    /// </remarks>
    public async ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default)
    {
        if (!services.Health.IsHealthy)
        {
            await ProbeAsync(cancellationToken).ConfigureAwait(false);
        }

        var prepared = preparer.Prepare(record);
        var operation = new EvidenceWriteOperation(record, prepared, durability == EvidenceDurability.Durable, services);
        try
        {
            await services.Writer.SubmitAsync(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex)
        {
            throw new EvidenceWriteException("The evidence store is closed.", ex);
        }

        if (durability == EvidenceDurability.Durable)
        {
            await operation.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Commits nothing, to learn whether the database accepts writes again; throws (handing back unwritten records) while it does not.</summary>
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (await CommitNothingAsync(cancellationToken).ConfigureAwait(false) is not { } failure)
        {
            return;
        }

        if (failure is EvidenceWriteException { InnerException: ObjectDisposedException })
        {
            throw failure;
        }

        throw new EvidenceWriteException("The evidence store cannot commit: " + failure.Message, failure) { UnwrittenRecords = services.Unwritten.TakeAll() };
    }

    /// <summary>Runs an empty commit through the writer (a barrier behind every queued write); returns why it failed, or null.</summary>
    private async Task<Exception?> CommitNothingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await services.Writer.ExecuteAsync(static _ => 0, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ObjectDisposedException ex)
        {
            return new EvidenceWriteException("The evidence store is closed.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Acknowledged records whose batch the database refused since the last flush are handed back in
    /// <see cref="EvidenceWriteException.UnwrittenRecords"/> (the runtime's evidence backlog writes them again when the
    /// store recovers); the flush fails whenever there are any, or records were lost, or the store cannot commit now.
    /// </remarks>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var failure = await CommitNothingAsync(cancellationToken).ConfigureAwait(false);
        var unwritten = services.Unwritten.TakeAll();

        // Losses are reported by a flush that hands nothing back: the caller writes handed-back records and flushes again,
        // and that flush must still fail for records that are gone.
        var lost = unwritten.Count == 0 ? services.Health.TakeUnreportedLost() : 0;
        if (failure is null && unwritten.Count == 0 && lost == 0)
        {
            return;
        }

        var message = failure is not null ? "The evidence store cannot commit: " + failure.Message : "The evidence store could not commit earlier writes.";
        if (unwritten.Count > 0)
        {
            message += $" {unwritten.Count} acknowledged record(s) were not written and are handed back.";
        }

        if (lost > 0)
        {
            message += $" {lost} acknowledged record(s) were lost; see the store's Health.";
        }

        throw new EvidenceWriteException(message, failure) { UnwrittenRecords = unwritten };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EvidenceRecord> QueryAsync(EvidenceQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        StoreServices.ValidateTenant(query.TenantId, nameof(query));
        if (query.Limit is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), "EvidenceQuery.Limit must be positive.");
        }

        var remaining = query.Limit ?? int.MaxValue;
        var after = -1L;
        while (remaining > 0)
        {
            var page = await ReadPageAsync(query, after, Math.Min(PageSize, remaining), cancellationToken).ConfigureAwait(false);
            foreach (var (index, record) in page)
            {
                after = index;

                // The leaf is authoritative; the indexed columns only narrow the search.
                if (!query.Matches(record))
                {
                    continue;
                }

                remaining--;
                yield return record;
                if (remaining == 0)
                {
                    yield break;
                }
            }

            if (page.Count < PageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>Returns a tenant log's current size and root.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tree head (size 0 and the empty root for a tenant without records).</returns>
    public async Task<EvidenceTreeHead> GetTreeHeadAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var (_, size, root) = ReadHead(lease.Connection, tenantId);
        return new EvidenceTreeHead { TenantId = tenantId, Origin = EvidenceLog.OriginFor(services.Options, tenantId), TreeSize = size, RootHash = root };
    }

    /// <summary>Returns the latest signed checkpoint of a tenant's log, or <see langword="null"/> when it has none yet.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The checkpoint.</returns>
    public async Task<SignedCheckpoint?> GetLatestCheckpointAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        using var command = lease.Connection.Command("SELECT note FROM evidence_checkpoint WHERE tenant_id = $t ORDER BY tree_size DESC LIMIT 1").With("$t", tenantId);
        return command.ExecuteScalar() is string note ? SignedCheckpoint.Parse(note, services.Verifiers) : null;
    }

    /// <summary>Signs a checkpoint of a tenant's log at its current size now (in addition to the N-records/T-seconds schedule) and returns it, for export.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The checkpoint.</returns>
    public async Task<SignedCheckpoint> CreateCheckpointAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        await services.Writer.ExecuteAsync(
            context =>
            {
                context.Log.Checkpoint(tenantId, context.Now, force: true);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
        return await GetLatestCheckpointAsync(tenantId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The checkpoint was not stored.");
    }

    /// <summary>Returns the inclusion proof of a record in its tenant's log, or <see langword="null"/> when the tenant has no such record.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="recordId">The record id.</param>
    /// <param name="treeSize">The tree size to prove against (default: the current size; for example a checkpoint's size).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The proof.</returns>
    public async Task<EvidenceInclusionProof?> GetInclusionProofAsync(string tenantId, string recordId, long? treeSize = null, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(recordId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        connection.Execute("BEGIN");
        try
        {
            var (tenantNo, size, _) = ReadHead(connection, tenantId);
            long index;
            byte[] leaf;
            using (var command = connection.Command("SELECT id, leaf FROM evidence_record WHERE tenant_no = $n AND record_id = $r").With("$n", tenantNo).With("$r", recordId))
            using (var reader = command.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return null;
                }

                index = EvidenceLayout.LeafIndexOf(reader.GetInt64(0));
                try
                {
                    leaf = CompactJson.Decode(reader.GetBytes(1));
                }
                catch (FormatException ex)
                {
                    throw new EvidenceIntegrityException($"The evidence record '{recordId}' does not decode; it was altered outside the store. Run VerifyAsync to locate the change.", ex);
                }
            }

            var proofSize = treeSize ?? size;
            if (proofSize <= index || proofSize > size)
            {
                throw new ArgumentOutOfRangeException(nameof(treeSize), $"The tree size must be greater than the record's index ({index}) and at most the log's size ({size}).");
            }

            using var source = new TileSubtreeSource(connection, tenantNo, tenantId);
            return new EvidenceInclusionProof
            {
                TenantId = tenantId,
                RecordId = recordId,
                LeafIndex = index,
                TreeSize = proofSize,
                Leaf = leaf,
                LeafHash = source.GetPerfectSubtree(0, index),
                RootHash = MerkleTree.RangeHash(source, 0, proofSize),
                AuditPath = MerkleTree.InclusionProof(source, index, proofSize),
            };
        }
        finally
        {
            connection.Execute("COMMIT");
        }
    }

    /// <summary>Returns the consistency proof between two sizes of a tenant's log.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="firstSize">The earlier size.</param>
    /// <param name="secondSize">The later size (default: the current size).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The proof.</returns>
    public async Task<EvidenceConsistencyProof> GetConsistencyProofAsync(string tenantId, long firstSize, long? secondSize = null, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        connection.Execute("BEGIN");
        try
        {
            var (tenantNo, size, _) = ReadHead(connection, tenantId);
            var second = secondSize ?? size;
            if (firstSize < 0 || firstSize > second || second > size)
            {
                throw new ArgumentOutOfRangeException(nameof(firstSize), $"Sizes must satisfy 0 <= first <= second <= {size}.");
            }

            return BuildConsistencyProof(connection, tenantNo, tenantId, firstSize, second);
        }
        finally
        {
            connection.Execute("COMMIT");
        }
    }

    /// <summary>
    /// Checks the log against a signed checkpoint kept outside the database: the log must be at least as large and have
    /// the same root at the checkpoint's size. Returns the proof that the current log extends the checkpoint.
    /// </summary>
    /// <param name="checkpointNote">The signed checkpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The consistency proof from the checkpoint to the current log.</returns>
    /// <exception cref="CheckpointVerificationException">The checkpoint is malformed, not signed by a trusted key, or of another origin.</exception>
    /// <exception cref="EvidenceRollbackException">The log is behind the checkpoint.</exception>
    public async Task<EvidenceConsistencyProof> CheckAgainstCheckpointAsync(string checkpointNote, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointNote);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        return CheckAgainstCheckpoint(lease.Connection, checkpointNote, services.Options, services.Verifiers);
    }

    /// <summary>Verifies a tenant's whole log and locates the first record that was modified, deleted, inserted or reordered.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The report.</returns>
    public async Task<EvidenceVerificationReport> VerifyAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        connection.Execute("BEGIN");
        try
        {
            var verifier = new EvidenceVerifier(connection, tenantId, services.Keyring, services.Verifiers, services.Options, services.Time.GetUtcNow());
            return verifier.Verify(cancellationToken);
        }
        finally
        {
            connection.Execute("COMMIT");
        }
    }

    /// <summary>
    /// Erases a record's payloads (digests, raw content and salts) and writes an <c>evidence.payloads.erased</c> record
    /// naming it. The record's leaf keeps only the salted commitments, so every proof stays valid.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="recordId">The record whose payloads to erase.</param>
    /// <param name="reason">Why (recorded as a reason code; keep it free of content).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of payloads erased; 0 when the tenant has no such record or it has none.</returns>
    public async Task<int> ErasePayloadsAsync(string tenantId, string recordId, string reason, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(recordId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var now = services.Time.GetUtcNow();
        var record = StoreRecords.Create(
            "erase-", tenantId, LifecycleStage.EvidencePersistence, StoreRecords.PayloadsErasedKind, now, [reason], new Dictionary<string, string> { [StoreRecords.ErasureTargetAttribute] = recordId });
        var prepared = preparer.Prepare(record);
        return await services.Writer.ExecuteAsync(
            context =>
            {
                int erased;
                using (var read = context.Connection.Command(
                    "SELECT r.payloads FROM evidence_record r JOIN evidence_log l ON l.tenant_no = r.tenant_no WHERE l.tenant_id = $t AND r.record_id = $r")
                    .With("$t", tenantId).With("$r", recordId))
                {
                    erased = read.ExecuteScalar() is byte[] packed ? SealedPayloads.Unpack(packed).Count(p => p is not null) : 0;
                }

                if (erased > 0)
                {
                    using var command = context.Connection.Command(
                        "UPDATE evidence_record SET payloads = NULL WHERE tenant_no = (SELECT tenant_no FROM evidence_log WHERE tenant_id = $t) AND record_id = $r")
                        .With("$t", tenantId).With("$r", recordId);
                    command.ExecuteNonQuery();
                }

                if (erased > 0)
                {
                    context.Log.Append(prepared);
                }

                return erased;
            },
            cancellationToken).ConfigureAwait(false);
    }

    internal EvidencePreparer Preparer => preparer;

    /// <summary>Reads a tenant's number, tree size and root (number 0, size 0 and the empty root for a tenant without records).</summary>
    internal static (long TenantNo, long Size, byte[] Root) ReadHead(SqliteConnection connection, string tenantId)
    {
        using var command = connection.Command("SELECT tenant_no, tree_size, root_hash FROM evidence_log WHERE tenant_id = $t").With("$t", tenantId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetBytes(2)) : (0, 0, MerkleTree.EmptyRoot.ToArray());
    }

    internal static EvidenceConsistencyProof CheckAgainstCheckpoint(SqliteConnection connection, string note, SqlCipherStoreOptions options, IReadOnlyList<CheckpointVerifier> verifiers)
    {
        var checkpoint = SignedCheckpoint.Parse(note, verifiers);
        var prefix = options.CheckpointOrigin + "/";
        if (!checkpoint.Origin.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new CheckpointVerificationException($"The checkpoint's origin '{checkpoint.Origin}' is not a log of this store (origins start with '{prefix}').");
        }

        var tenantId = Uri.UnescapeDataString(checkpoint.Origin[prefix.Length..]);
        connection.Execute("BEGIN");
        try
        {
            var (tenantNo, size, _) = ReadHead(connection, tenantId);
            if (size < checkpoint.TreeSize)
            {
                throw new EvidenceRollbackException(
                    $"The evidence log of tenant '{tenantId}' has {size} records but a trusted checkpoint shows {checkpoint.TreeSize}: the database was rolled back or records were removed.")
                {
                    TenantId = tenantId,
                    CheckpointTreeSize = checkpoint.TreeSize,
                    DatabaseTreeSize = size,
                };
            }

            using var source = new TileSubtreeSource(connection, tenantNo, tenantId);
            var root = checkpoint.TreeSize == 0 ? MerkleTree.EmptyRoot.ToArray() : MerkleTree.RangeHash(source, 0, checkpoint.TreeSize);
            if (!root.AsSpan().SequenceEqual(checkpoint.RootHash.Span))
            {
                throw new EvidenceRollbackException(
                    $"The evidence log of tenant '{tenantId}' has a different root at {checkpoint.TreeSize} records than a trusted checkpoint: its history was rewritten or the database replaced.")
                {
                    TenantId = tenantId,
                    CheckpointTreeSize = checkpoint.TreeSize,
                    DatabaseTreeSize = size,
                };
            }

            return BuildConsistencyProof(connection, tenantNo, tenantId, checkpoint.TreeSize, size);
        }
        finally
        {
            connection.Execute("COMMIT");
        }
    }

    private static EvidenceConsistencyProof BuildConsistencyProof(SqliteConnection connection, long tenantNo, string tenantId, long first, long second)
    {
        using var source = new TileSubtreeSource(connection, tenantNo, tenantId);
        return new EvidenceConsistencyProof
        {
            TenantId = tenantId,
            FirstSize = first,
            SecondSize = second,
            FirstRoot = MerkleTree.RangeHash(source, 0, first),
            SecondRoot = MerkleTree.RangeHash(source, 0, second),
            Proof = MerkleTree.ConsistencyProof(source, first, second),
        };
    }

    private async Task<List<(long Index, EvidenceRecord Record)>> ReadPageAsync(EvidenceQuery query, long after, int limit, CancellationToken cancellationToken)
    {
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        var page = new List<(long, EvidenceRecord)>(limit);
        connection.Execute("BEGIN");
        try
        {
            var (tenantNo, _, _) = ReadHead(connection, query.TenantId);
            if (tenantNo == 0)
            {
                return page;
            }

            // The tenant's rows are the row id range [tenant_no * 2^40, (tenant_no + 1) * 2^40), read in order from the last
            // page on. With a request, correlation or time filter, "tenant_no = $n" lets the planner use that tenant-scoped
            // index; without one, "+tenant_no" keeps it on the row id range (an index on tenant_no alone would make it read
            // and sort the whole log for every page).
            var indexed = query.RequestId is not null || query.CorrelationId is not null || query.From is not null || query.To is not null;
            var sql = new System.Text.StringBuilder(
                indexed
                    ? "SELECT id, leaf, payloads FROM evidence_record WHERE tenant_no = $n AND id > $after AND id <= $last"
                    : "SELECT id, leaf, payloads FROM evidence_record WHERE +tenant_no = $n AND id > $after AND id <= $last");
            using var command = connection.Command(string.Empty)
                .With("$n", tenantNo)
                .With("$after", EvidenceLayout.FirstRowId(tenantNo) + after)
                .With("$last", EvidenceLayout.RowId(tenantNo, EvidenceLayout.MaxLeafIndex))
                .With("$limit", limit);
            if (query.RequestId is not null)
            {
                sql.Append(" AND request_id = $request");
                command.With("$request", query.RequestId);
            }

            if (query.CorrelationId is not null)
            {
                sql.Append(" AND correlation_id = $correlation");
                command.With("$correlation", query.CorrelationId);
            }

            if (query.From is { } from)
            {
                sql.Append(" AND timestamp_ticks >= $from");
                command.With("$from", from.UtcTicks);
            }

            if (query.To is { } to)
            {
                sql.Append(" AND timestamp_ticks < $to");
                command.With("$to", to.UtcTicks);
            }

            if (query.Stage is { } stage)
            {
                sql.Append(" AND stage = $stage");
                command.With("$stage", (int)stage);
            }

            if (query.Kind is not null)
            {
                sql.Append(" AND kind = $kind");
                command.With("$kind", query.Kind);
            }

            if (query.Outcome is { } outcome)
            {
                sql.Append(" AND outcome = $outcome");
                command.With("$outcome", (int)outcome);
            }

            sql.Append(" ORDER BY id LIMIT $limit");
            command.CommandText = sql.ToString();
            var records = new EvidenceRecordReader(query.TenantId, services.Keyring);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var index = EvidenceLayout.LeafIndexOf(reader.GetInt64(0));
                page.Add((index, records.Read(index, reader.GetBytes(1), reader.IsDBNull(2) ? null : reader.GetBytes(2))));
            }
        }
        finally
        {
            connection.Execute("COMMIT");
        }

        return page;
    }
}
