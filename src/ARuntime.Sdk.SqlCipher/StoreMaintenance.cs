using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Memory;
using ARuntime.Sdk.SqlCipher.Storage;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>Retention purge and tenant erasure: the deletions that cut across the store's tables.</summary>
internal sealed class StoreMaintenance(StoreServices services, SqlCipherEvidenceStore evidence)
{
    public async Task<PurgeResult> PurgeAsync(CancellationToken cancellationToken)
    {
        var result = await services.Writer.ExecuteAsync(
            context =>
            {
                var now = context.Now;
                var connection = context.Connection;

                // Expired memory items, per tenant, each leaving a memory.purged record without content.
                var expired = new List<(long Id, string ItemId, string TenantId)>();
                using (var command = connection.Command("SELECT id, item_id, tenant_id FROM memory_item WHERE expires_ticks IS NOT NULL AND expires_ticks <= $now").With("$now", now.UtcTicks))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        expired.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
                    }
                }

                foreach (var (id, itemId, tenantId) in expired)
                {
                    MemoryRows.DeleteItem(connection, id, itemId, tenantId);
                }

                foreach (var group in expired.GroupBy(e => e.TenantId, StringComparer.Ordinal))
                {
                    context.Log.Append(evidence.Preparer.Prepare(StoreRecords.Create(
                        "purge-",
                        group.Key,
                        LifecycleStage.MemoryDecision,
                        StoreRecords.MemoryPurgedKind,
                        now,
                        ["retention.expired"],
                        new Dictionary<string, string> { ["memory.purged.count"] = group.Count().ToString(System.Globalization.CultureInfo.InvariantCulture) })));
                }

                // Evidence payloads past their record's retention period; leaves (and proofs) stay. Each tenant whose payloads
                // were purged gets a record of the cutoff applied per retention class, so that verification can tell this
                // erasure from a removal even after the retention period is changed.
                var payloads = 0;
                var tenants = new List<(long Number, string Id)>();
                using (var command = connection.Command("SELECT tenant_no, tenant_id FROM evidence_log"))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        tenants.Add((reader.GetInt64(0), reader.GetString(1)));
                    }
                }

                var cutoffs = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

                foreach (var retention in new[] { RetentionClass.Transient, RetentionClass.Standard, RetentionClass.Extended })
                {
                    if (services.Options.Retention.For(retention) is not { } period)
                    {
                        continue;
                    }

                    // Per tenant through the (tenant, time) index: only records older than the cutoff are visited.
                    using var command = connection.Command(
                        "UPDATE evidence_record SET payloads = NULL WHERE tenant_no = $n AND timestamp_ticks < $cutoff AND retention = $r AND payloads IS NOT NULL")
                        .With("$r", (int)retention).With("$cutoff", RetentionPeriods.CutoffTicks(now, period));
                    var tenantNo = command.Parameters.AddWithValue("$n", 0L);
                    foreach (var (number, tenantId) in tenants)
                    {
                        tenantNo.Value = number;
                        var purged = command.ExecuteNonQuery();
                        payloads += purged;
                        if (purged > 0)
                        {
                            if (!cutoffs.TryGetValue(tenantId, out var attributes))
                            {
                                cutoffs[tenantId] = attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                            }

                            var name = retention.ToString().ToLowerInvariant();
                            attributes[StoreRecords.PayloadsPurgedCutoffPrefix + name] = RetentionPeriods.CutoffTicks(now, period).ToString(System.Globalization.CultureInfo.InvariantCulture);
                            attributes["purged." + name] = purged.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }

                foreach (var (tenantId, attributes) in cutoffs)
                {
                    context.Log.Append(evidence.Preparer.Prepare(StoreRecords.Create(
                        "purge-", tenantId, LifecycleStage.EvidencePersistence, StoreRecords.PayloadsPurgedKind, now, ["retention.expired"], attributes)));
                }

                int Delete(string sql, long ticks)
                {
                    using var command = connection.Command(sql).With("$ticks", ticks);
                    return command.ExecuteNonQuery();
                }

                var idempotency = Delete("DELETE FROM idempotency_key WHERE expires_ticks <= $ticks", now.UtcTicks);
                var journal = Delete(
                    $"DELETE FROM request_journal WHERE state IN ({(int)RequestState.Finished}, {(int)RequestState.Interrupted}) AND updated_ticks < $ticks",
                    RetentionPeriods.CutoffTicks(now, services.Options.Retention.Standard));
                // Only claimed ones: an expired request nobody claimed has not been ended yet (the runtime's expiry sweep claims
                // it, then compensates and closes it); deleting it would leave a request that never ends.
                var paused = Delete("DELETE FROM paused_request WHERE claimed = 1 AND claimed_ticks < $ticks", RetentionPeriods.CutoffTicks(now, services.Options.Retention.Transient));
                if (expired.Count > 0)
                {
                    // Merge the full-text index so deleted items' index entries are rewritten away, not just marked deleted.
                    connection.Execute("INSERT INTO memory_fts(memory_fts) VALUES('optimize')");
                }

                return new PurgeResult { MemoryItems = expired.Count, EvidencePayloads = payloads, IdempotencyKeys = idempotency, JournalEntries = journal, PausedRequests = paused };
            },
            cancellationToken).ConfigureAwait(false);
        Log.Purged(services.Logger, result.MemoryItems, result.EvidencePayloads, result.IdempotencyKeys, result.JournalEntries, result.PausedRequests);
        return result;
    }

    public async Task EraseTenantAsync(string tenantId, string reason, CancellationToken cancellationToken)
    {
        var key = services.Keyring.TryGet(tenantId);
        var prepared = evidence.Preparer.Prepare(StoreRecords.Create(
            "erase-",
            tenantId,
            LifecycleStage.IncidentRecovery,
            StoreRecords.TenantErasedKind,
            services.Time.GetUtcNow(),
            [reason],
            new Dictionary<string, string> { ["tenant.keyId"] = key?.KeyId ?? "none" }));
        await services.Writer.ExecuteAsync(
            context =>
            {
                var connection = context.Connection;
                void Run(string sql)
                {
                    using var command = connection.Command(sql).With("$t", tenantId);
                    command.ExecuteNonQuery();
                }

                Run("DELETE FROM memory_fts WHERE docid IN (SELECT id FROM memory_item WHERE tenant_id = $t)");
                Run("DELETE FROM memory_history WHERE tenant_id = $t");
                Run("DELETE FROM memory_item WHERE tenant_id = $t");
                Run("UPDATE evidence_record SET payloads = NULL WHERE tenant_no = (SELECT tenant_no FROM evidence_log WHERE tenant_id = $t) AND payloads IS NOT NULL");
                Run("DELETE FROM idempotency_key WHERE tenant_id = $t");
                Run("DELETE FROM tool_operation WHERE tenant_id = $t");
                Run("DELETE FROM paused_request WHERE tenant_id = $t");
                Run("DELETE FROM request_journal WHERE tenant_id = $t");
                if (key is not null)
                {
                    using var command = connection.Command("INSERT OR REPLACE INTO tenant_key(tenant_id, key_id, created_ticks, erased_ticks) VALUES ($t, $k, $c, $e)")
                        .With("$t", tenantId).With("$k", key.KeyId).With("$c", key.CreatedTicks).With("$e", context.Now.UtcTicks);
                    command.ExecuteNonQuery();
                }

                connection.Execute("INSERT INTO memory_fts(memory_fts) VALUES('optimize')");
                context.Log.Append(prepared);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);

        // The key goes only after the deletion committed; a crash in between is reconciled on the next open.
        if (key is not null)
        {
            services.Keyring.Remove(tenantId, key.KeyId);
        }

        await CheckpointWalAsync(cancellationToken).ConfigureAwait(false);
        Log.TenantErased(services.Logger, tenantId);
    }

    /// <summary>Copies the WAL into the database and truncates it, so old page images do not linger in the WAL file.</summary>
    public Task CheckpointWalAsync(CancellationToken cancellationToken) =>
        services.Writer.ExecuteAsync(
            context =>
            {
                context.Connection.Scalar("PRAGMA wal_checkpoint(TRUNCATE)");
                return 0;
            },
            cancellationToken,
            exclusive: true);
}
