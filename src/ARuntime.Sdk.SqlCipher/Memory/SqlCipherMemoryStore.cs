using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Memory;

/// <summary>
/// Agent memory on SQLCipher. Items are sealed with their tenant's data key and indexed in FTS4 under blinded terms;
/// every change (retain, correct, consolidate, delete, purge) writes an evidence record in the same transaction, and
/// deleting an item erases the evidence payloads about it while their salted commitments keep the log verifiable.
/// Every operation is scoped to one tenant and scope.
/// </summary>
public sealed class SqlCipherMemoryStore : IMemoryStore
{
    private readonly StoreServices services;
    private readonly SqlCipherEvidenceStore evidence;

    internal SqlCipherMemoryStore(StoreServices services, SqlCipherEvidenceStore evidence)
    {
        this.services = services;
        this.evidence = evidence;
    }

    /// <inheritdoc />
    public async ValueTask<MemoryItem> RetainAsync(MemoryWrite item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ValidateScope(item.Scope, nameof(item));
        ValidateContent(item.Content, nameof(item));
        ValidateWrite(item);
        var key = services.Keyring.GetOrCreate(item.Scope.TenantId);
        var itemId = "mem_" + Guid.NewGuid().ToString("N");
        var document = BlindIndex.Document(key, item.Content, item.Tags);
        var sealedItem = key.Seal(MemoryRows.EncodeItem(item.Content, item.Provenance, item.Classification, item.Tags), MemoryRows.ItemContext(itemId, 1));
        var record = Record(item.Scope, "memory.retained", item.Provenance, item.Classification, item.Retention, itemId, 1, item.Content, reason: null);
        var prepared = evidence.Preparer.Prepare(record, _ => MemoryRows.Subject(itemId));
        return await services.Writer.ExecuteAsync(
            context =>
            {
                var expires = item.ExpiresAt ?? (services.Options.Retention.For(item.Retention) is { } period ? context.Now + period : null);
                long id;
                using (var command = context.Connection.Command(
                    "INSERT INTO memory_item(item_id, tenant_id, scope_kind, owner_id, revision, created_ticks, updated_ticks, expires_ticks, retention, sealed) " +
                    "VALUES ($i, $t, $k, $o, 1, $now, $now, $e, $r, $s); SELECT last_insert_rowid();")
                    .With("$i", itemId).With("$t", item.Scope.TenantId).With("$k", (int)item.Scope.Kind).With("$o", MemoryRows.OwnerOf(item.Scope))
                    .With("$now", context.Now.UtcTicks).With("$e", expires?.UtcTicks).With("$r", (int)item.Retention).With("$s", sealedItem))
                {
                    id = (long)command.ExecuteScalar()!;
                }

                using (var command = context.Connection.Command("INSERT INTO memory_fts(docid, terms) VALUES ($id, $terms)").With("$id", id).With("$terms", document))
                {
                    command.ExecuteNonQuery();
                }

                context.Log.Append(prepared);
                return new MemoryItem
                {
                    Id = itemId,
                    Scope = Normalize(item.Scope),
                    Content = item.Content,
                    Provenance = item.Provenance,
                    CreatedAt = context.Now,
                    UpdatedAt = context.Now,
                    ExpiresAt = expires,
                    Classification = item.Classification,
                    Retention = item.Retention,
                    Revision = 1,
                    Tags = item.Tags,
                };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<MemoryItem?> CorrectAsync(MemoryScope scope, string itemId, string content, string reason, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        ArgumentException.ThrowIfNullOrWhiteSpace(itemId);
        ValidateContent(content, nameof(content));
        ValidateReason(reason);
        if (services.Keyring.TryGet(scope.TenantId) is not { } key)
        {
            return null;
        }

        return await services.Writer.ExecuteAsync(
            context =>
            {
                var connection = context.Connection;
                var current = FindItem(connection, scope, itemId, context.Now, includeExpired: false, key);
                if (current is not { } found)
                {
                    return null;
                }

                var (id, item) = found;
                var corrected = item with { Content = content, Revision = item.Revision + 1, UpdatedAt = context.Now };
                var indexed = BlindIndex.Document(key, content, item.Tags);
                using (var command = connection.Command("INSERT INTO memory_history(item_id, revision, tenant_id, recorded_ticks, sealed) VALUES ($i, $r, $t, $now, $s)")
                    .With("$i", itemId).With("$r", item.Revision).With("$t", scope.TenantId).With("$now", context.Now.UtcTicks)
                    .With("$s", key.Seal(MemoryRows.EncodeRevision(item.Content, reason), MemoryRows.HistoryContext(itemId, item.Revision))))
                {
                    command.ExecuteNonQuery();
                }

                using (var command = connection.Command("UPDATE memory_item SET revision = $r, updated_ticks = $now, sealed = $s WHERE id = $id AND tenant_id = $t")
                    .With("$r", corrected.Revision).With("$now", context.Now.UtcTicks).With("$id", id).With("$t", scope.TenantId)
                    .With("$s", key.Seal(MemoryRows.EncodeItem(content, item.Provenance, item.Classification, item.Tags), MemoryRows.ItemContext(itemId, corrected.Revision))))
                {
                    command.ExecuteNonQuery();
                }

                using (var command = connection.Command("UPDATE memory_fts SET terms = $terms WHERE docid = $id").With("$terms", indexed).With("$id", id))
                {
                    command.ExecuteNonQuery();
                }

                var record = Record(scope, "memory.corrected", item.Provenance, item.Classification, item.Retention, itemId, corrected.Revision, content, reason);
                context.Log.Append(evidence.Preparer.Prepare(record, _ => MemoryRows.Subject(itemId)));
                return corrected;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<MemoryItem> ConsolidateAsync(MemoryScope scope, IReadOnlyList<string> itemIds, MemoryWrite consolidated, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(consolidated);
        if (itemIds.Count == 0 || itemIds.Any(string.IsNullOrWhiteSpace) || itemIds.Distinct(StringComparer.Ordinal).Count() != itemIds.Count)
        {
            throw new ArgumentException("Consolidation needs one or more distinct item ids.", nameof(itemIds));
        }

        if (Normalize(consolidated.Scope) != Normalize(scope))
        {
            throw new ArgumentException("The consolidated item must belong to the same scope as the items it replaces.", nameof(consolidated));
        }

        ValidateContent(consolidated.Content, nameof(consolidated));
        ValidateWrite(consolidated);
        var key = services.Keyring.GetOrCreate(scope.TenantId);
        var newId = "mem_" + Guid.NewGuid().ToString("N");
        var document = BlindIndex.Document(key, consolidated.Content, consolidated.Tags);
        var sealedItem = key.Seal(MemoryRows.EncodeItem(consolidated.Content, consolidated.Provenance, consolidated.Classification, consolidated.Tags), MemoryRows.ItemContext(newId, 1));
        var record = Record(scope, "memory.consolidated", consolidated.Provenance, consolidated.Classification, consolidated.Retention, newId, 1, consolidated.Content, reason: null);
        record = record with { Attributes = new Dictionary<string, string>(record.Attributes) { ["memory.consolidatedFrom"] = string.Join(',', itemIds) } };
        var prepared = evidence.Preparer.Prepare(record, _ => MemoryRows.Subject(newId));
        return await services.Writer.ExecuteAsync(
            context =>
            {
                var connection = context.Connection;
                var sources = new List<long>();
                foreach (var itemId in itemIds)
                {
                    using var command = connection.Command("SELECT id FROM memory_item WHERE item_id = $i AND tenant_id = $t AND scope_kind = $k AND owner_id = $o")
                        .With("$i", itemId).With("$t", scope.TenantId).With("$k", (int)scope.Kind).With("$o", MemoryRows.OwnerOf(scope));
                    sources.Add(command.ExecuteScalar() as long? ?? throw new ArgumentException($"Memory item '{itemId}' is not in the scope; nothing was consolidated.", nameof(itemIds)));
                }

                for (var i = 0; i < sources.Count; i++)
                {
                    MemoryRows.DeleteItem(connection, sources[i], itemIds[i], scope.TenantId);
                }

                var expires = consolidated.ExpiresAt ?? (services.Options.Retention.For(consolidated.Retention) is { } period ? context.Now + period : null);
                long id;
                using (var command = connection.Command(
                    "INSERT INTO memory_item(item_id, tenant_id, scope_kind, owner_id, revision, created_ticks, updated_ticks, expires_ticks, retention, sealed) " +
                    "VALUES ($i, $t, $k, $o, 1, $now, $now, $e, $r, $s); SELECT last_insert_rowid();")
                    .With("$i", newId).With("$t", scope.TenantId).With("$k", (int)scope.Kind).With("$o", MemoryRows.OwnerOf(scope))
                    .With("$now", context.Now.UtcTicks).With("$e", expires?.UtcTicks).With("$r", (int)consolidated.Retention).With("$s", sealedItem))
                {
                    id = (long)command.ExecuteScalar()!;
                }

                using (var command = connection.Command("INSERT INTO memory_fts(docid, terms) VALUES ($id, $terms)").With("$id", id).With("$terms", document))
                {
                    command.ExecuteNonQuery();
                }

                context.Log.Append(prepared);
                return new MemoryItem
                {
                    Id = newId,
                    Scope = Normalize(scope),
                    Content = consolidated.Content,
                    Provenance = consolidated.Provenance,
                    CreatedAt = context.Now,
                    UpdatedAt = context.Now,
                    ExpiresAt = expires,
                    Classification = consolidated.Classification,
                    Retention = consolidated.Retention,
                    Tags = consolidated.Tags,
                };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<MemoryItem> SearchAsync(MemoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ValidateScope(query.Scope, nameof(query));
        ArgumentNullException.ThrowIfNull(query.Text, nameof(query));
        if (query.Limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), "MemoryQuery.Limit must be positive.");
        }

        if (services.Keyring.TryGet(query.Scope.TenantId) is not { } key)
        {
            yield break;
        }

        var terms = BlindIndex.Words(query.Text).Distinct(StringComparer.Ordinal).Select(key.IndexToken).ToList();
        if (terms.Count == 0)
        {
            yield break;
        }

        var match = string.Join(" OR ", terms);
        var now = services.Time.GetUtcNow().UtcTicks;
        List<MemoryItem> results;
        using (var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false))
        {
            var connection = lease.Connection;
            connection.Execute("BEGIN");
            try
            {
                // Rank every full-text match first (the index alone answers this), then read candidates best first,
                // keeping those in the scope, unexpired and fresh enough, until the limit is reached. Terms are blinded
                // per tenant, so every match belongs to the tenant; the SQL filter still enforces tenant and scope.
                var ranked = new List<(long Id, double Score)>();
                using (var command = connection.Command("SELECT docid, matchinfo(memory_fts, 'pcnalx') FROM memory_fts WHERE memory_fts MATCH $match").With("$match", match))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        ranked.Add((reader.GetInt64(0), Bm25.Score(reader.GetBytes(1))));
                    }
                }

                ranked.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : b.Id.CompareTo(a.Id));
                results = new List<MemoryItem>(Math.Min(query.Limit, ranked.Count));
                using var fetch = connection.Command(
                    $"SELECT {MemoryRows.ItemColumns} FROM memory_item WHERE id = $id AND tenant_id = $t AND scope_kind = $k AND owner_id = $o " +
                    "AND (expires_ticks IS NULL OR expires_ticks > $now) AND updated_ticks >= $since")
                    .With("$t", query.Scope.TenantId).With("$k", (int)query.Scope.Kind).With("$o", MemoryRows.OwnerOf(query.Scope))
                    .With("$now", now).With("$since", query.UpdatedSince?.UtcTicks ?? long.MinValue);
                var idParameter = fetch.Parameters.AddWithValue("$id", 0L);
                foreach (var (id, _) in ranked)
                {
                    if (results.Count == query.Limit)
                    {
                        break;
                    }

                    idParameter.Value = id;
                    using var reader = fetch.ExecuteReader();
                    if (reader.Read())
                    {
                        results.Add(MemoryRows.ReadItem(reader, key));
                    }
                }
            }
            finally
            {
                connection.Execute("COMMIT");
            }
        }

        foreach (var item in results)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<MemoryItem> ExportAsync(MemoryScope scope, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        var items = await ReadScopeAsync(scope, cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    /// <summary>Exports every unexpired item of one scope as a JSON array of memory items (the contract's JSON form) to a stream.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The number of items exported.</returns>
    public async Task<int> ExportJsonAsync(MemoryScope scope, Stream destination, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        ArgumentNullException.ThrowIfNull(destination);
        var items = await ReadScopeAsync(scope, cancellationToken).ConfigureAwait(false);
        await JsonSerializer.SerializeAsync<IReadOnlyList<MemoryItem>>(destination, items, ARuntimeJsonContext.Default.IReadOnlyListMemoryItem, cancellationToken).ConfigureAwait(false);
        return items.Count;
    }

    /// <summary>Reads one item of a scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="itemId">The item id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The item, or <see langword="null"/> when the scope has no such unexpired item.</returns>
    public async ValueTask<MemoryItem?> GetAsync(MemoryScope scope, string itemId, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        ArgumentException.ThrowIfNullOrWhiteSpace(itemId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var key = services.Keyring.TryGet(scope.TenantId);
        var found = FindItem(lease.Connection, scope, itemId, services.Time.GetUtcNow(), includeExpired: false, key);
        return found?.Item;
    }

    /// <summary>Returns an item's earlier revisions, oldest first.</summary>
    /// <param name="scope">The item's scope.</param>
    /// <param name="itemId">The item id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The revisions, or <see langword="null"/> when the scope has no such item.</returns>
    public async ValueTask<IReadOnlyList<MemoryRevision>?> GetHistoryAsync(MemoryScope scope, string itemId, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        ArgumentException.ThrowIfNullOrWhiteSpace(itemId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        var key = services.Keyring.TryGet(scope.TenantId);
        if (FindItem(connection, scope, itemId, services.Time.GetUtcNow(), includeExpired: true, key) is null)
        {
            return null;
        }

        var revisions = new List<MemoryRevision>();
        using var command = connection.Command("SELECT revision, recorded_ticks, sealed FROM memory_history WHERE item_id = $i AND tenant_id = $t ORDER BY revision")
            .With("$i", itemId).With("$t", scope.TenantId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var revision = reader.GetInt32(0);
            using var document = JsonDocument.Parse(key!.Open(reader.GetBytes(2), MemoryRows.HistoryContext(itemId, revision)));
            revisions.Add(new MemoryRevision
            {
                Revision = revision,
                ReplacedAt = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
                Content = document.RootElement.GetProperty("content").GetString()!,
                Reason = document.RootElement.GetProperty("reason").GetString()!,
            });
        }

        return revisions;
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(MemoryScope scope, string itemId, string reason, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope, nameof(scope));
        ArgumentException.ThrowIfNullOrWhiteSpace(itemId);
        ValidateReason(reason);
        var record = new EvidenceRecord
        {
            RecordId = "mem-" + Guid.NewGuid().ToString("N"),
            RequestId = "memory",
            TenantId = scope.TenantId,
            Sequence = 0,
            Stage = LifecycleStage.MemoryDecision,
            Kind = "memory.deleted",
            Outcome = StageOutcome.Completed,
            Timestamp = services.Time.GetUtcNow(),
            Attributes = ScopeAttributes(scope, itemId, revision: null, reason),
        };
        var prepared = evidence.Preparer.Prepare(record);
        return await services.Writer.ExecuteAsync(
            context =>
            {
                long id;
                using (var command = context.Connection.Command("SELECT id FROM memory_item WHERE item_id = $i AND tenant_id = $t AND scope_kind = $k AND owner_id = $o")
                    .With("$i", itemId).With("$t", scope.TenantId).With("$k", (int)scope.Kind).With("$o", MemoryRows.OwnerOf(scope)))
                {
                    if (command.ExecuteScalar() is not long found)
                    {
                        return false;
                    }

                    id = found;
                }

                MemoryRows.DeleteItem(context.Connection, id, itemId, scope.TenantId);
                context.Log.Append(prepared);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static (long Id, MemoryItem Item)? FindItem(SqliteConnection connection, MemoryScope scope, string itemId, DateTimeOffset now, bool includeExpired, TenantDataKey? key)
    {
        using var command = connection.Command(
            $"SELECT {MemoryRows.ItemColumns} FROM memory_item WHERE item_id = $i AND tenant_id = $t AND scope_kind = $k AND owner_id = $o" +
            (includeExpired ? string.Empty : " AND (expires_ticks IS NULL OR expires_ticks > $now)"))
            .With("$i", itemId).With("$t", scope.TenantId).With("$k", (int)scope.Kind).With("$o", MemoryRows.OwnerOf(scope)).With("$now", now.UtcTicks);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        if (key is null)
        {
            throw new TenantDataUnavailableException($"Tenant '{scope.TenantId}' has memory in this database but its data key is not in the keyring: the tenant was erased, or this is not the keyring the data was written with.");
        }

        return (reader.GetInt64(0), MemoryRows.ReadItem(reader, key));
    }

    private static MemoryScope Normalize(MemoryScope scope) =>
        scope.Kind == MemoryScopeKind.Tenant ? scope with { OwnerId = null } : scope;

    private static void ValidateScope(MemoryScope? scope, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(scope, parameterName);
        if (string.IsNullOrWhiteSpace(scope.TenantId))
        {
            throw new ArgumentException("The memory scope's TenantId is required.", parameterName);
        }

        if (!Enum.IsDefined(scope.Kind))
        {
            throw new ArgumentException($"The memory scope kind {scope.Kind} is not defined.", parameterName);
        }

        if (scope.Kind != MemoryScopeKind.Tenant && string.IsNullOrWhiteSpace(scope.OwnerId))
        {
            throw new ArgumentException($"A {scope.Kind} memory scope needs an OwnerId (the {scope.Kind.ToString().ToLowerInvariant()} id).", parameterName);
        }
    }

    private static void ValidateWrite(MemoryWrite item)
    {
        if (item.Provenance is null || string.IsNullOrWhiteSpace(item.Provenance.SourceType))
        {
            throw new ArgumentException("A memory item needs a provenance with a SourceType.", nameof(item));
        }

        if (!Enum.IsDefined(item.Retention) || item.Classification is null || !Enum.IsDefined(item.Classification.Sensitivity) || item.Tags is null)
        {
            throw new ArgumentException("The memory item's Retention, Classification or Tags are invalid.", nameof(item));
        }
    }

    private static void ValidateReason(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (reason.Length > 256)
        {
            throw new ArgumentException("A reason is at most 256 characters; it is recorded in evidence, so keep it free of content.", nameof(reason));
        }
    }

    private static Dictionary<string, string> ScopeAttributes(MemoryScope scope, string itemId, int? revision, string? reason)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["memory.itemId"] = itemId,
            ["memory.scope"] = scope.Kind.ToString(),
        };
        if (scope.Kind != MemoryScopeKind.Tenant && scope.OwnerId is not null)
        {
            attributes["memory.owner"] = scope.OwnerId;
        }

        if (revision is { } r)
        {
            attributes["memory.revision"] = r.ToString(CultureInfo.InvariantCulture);
        }

        if (reason is not null)
        {
            attributes["memory.reason"] = reason;
        }

        return attributes;
    }

    private void ValidateContent(string? content, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(content, parameterName);
        if (content.Length == 0 || content.Length > services.Options.MaxMemoryContentLength)
        {
            throw new ArgumentException($"Memory content must be 1 to {services.Options.MaxMemoryContentLength} characters; it has {content.Length}.", parameterName);
        }
    }

    private EvidenceRecord Record(MemoryScope scope, string kind, MemoryProvenance provenance, DataClassification classification, RetentionClass retention, string itemId, int revision, string content, string? reason)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return new EvidenceRecord
        {
            RecordId = "mem-" + Guid.NewGuid().ToString("N"),
            RequestId = provenance.SourceRequestId ?? "memory",
            TenantId = scope.TenantId,
            Sequence = 0,
            Stage = LifecycleStage.MemoryDecision,
            Kind = kind,
            Outcome = StageOutcome.Completed,
            Timestamp = services.Time.GetUtcNow(),
            ActorId = provenance.SourceActorId,
            Classification = classification,
            Retention = retention,
            Attributes = ScopeAttributes(scope, itemId, revision, reason),
            Payloads =
            [
                new PayloadDigest
                {
                    Name = "memory.content",
                    Digest = Convert.ToHexStringLower(SHA256.HashData(bytes)),
                    Length = bytes.Length,
                    Classification = classification,
                },
            ],
        };
    }

    private async Task<List<MemoryItem>> ReadScopeAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        var key = services.Keyring.TryGet(scope.TenantId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        using var command = lease.Connection.Command(
            $"SELECT {MemoryRows.ItemColumns} FROM memory_item WHERE tenant_id = $t AND scope_kind = $k AND owner_id = $o AND (expires_ticks IS NULL OR expires_ticks > $now) ORDER BY created_ticks, id")
            .With("$t", scope.TenantId).With("$k", (int)scope.Kind).With("$o", MemoryRows.OwnerOf(scope)).With("$now", services.Time.GetUtcNow().UtcTicks);
        using var reader = command.ExecuteReader();
        var items = new List<MemoryItem>();
        while (reader.Read())
        {
            if (key is null)
            {
                throw new TenantDataUnavailableException($"Tenant '{scope.TenantId}' has memory in this database but its data key is not in the keyring: the tenant was erased, or this is not the keyring the data was written with.");
            }

            items.Add(MemoryRows.ReadItem(reader, key));
        }

        return items;
    }
}
