using System.Globalization;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Memory;

/// <summary>Row-level helpers of the memory tables: sealing item content, reading rows back, deleting an item everywhere.</summary>
internal static class MemoryRows
{
    public const string ItemColumns = "id, item_id, tenant_id, scope_kind, owner_id, revision, created_ticks, updated_ticks, expires_ticks, retention, sealed";

    public static string Subject(string itemId) => "memory:" + itemId;

    public static string ItemContext(string itemId, int revision) => string.Create(CultureInfo.InvariantCulture, $"memory-item\n{itemId}\n{revision}");

    public static string HistoryContext(string itemId, int revision) => string.Create(CultureInfo.InvariantCulture, $"memory-history\n{itemId}\n{revision}");

    public static string OwnerOf(MemoryScope scope) => scope.Kind == MemoryScopeKind.Tenant ? string.Empty : scope.OwnerId ?? string.Empty;

    public static byte[] EncodeItem(string content, MemoryProvenance provenance, DataClassification classification, IReadOnlyList<string> tags)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("content", content);
            writer.WriteStartObject("provenance");
            writer.WriteString("sourceType", provenance.SourceType);
            if (provenance.SourceRequestId is not null)
            {
                writer.WriteString("sourceRequestId", provenance.SourceRequestId);
            }

            if (provenance.SourceActorId is not null)
            {
                writer.WriteString("sourceActorId", provenance.SourceActorId);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("classification");
            writer.WriteString("sensitivity", classification.Sensitivity.ToString());
            writer.WriteStartArray("labels");
            foreach (var label in classification.Labels)
            {
                writer.WriteStringValue(label);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("tags");
            foreach (var tag in tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static byte[] EncodeRevision(string content, string reason)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("content", content);
            writer.WriteString("reason", reason);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Reads an item row (columns <see cref="ItemColumns"/>) and opens its content.</summary>
    public static MemoryItem ReadItem(SqliteDataReader reader, TenantDataKey key)
    {
        var itemId = reader.GetString(1);
        var revision = reader.GetInt32(5);
        var plaintext = key.Open(reader.GetBytes(10), ItemContext(itemId, revision));
        using var document = JsonDocument.Parse(plaintext);
        var root = document.RootElement;
        var provenance = root.GetProperty("provenance");
        var classification = root.GetProperty("classification");
        var kind = (MemoryScopeKind)reader.GetInt32(3);
        var owner = reader.GetString(4);
        return new MemoryItem
        {
            Id = itemId,
            Scope = new MemoryScope { TenantId = reader.GetString(2), Kind = kind, OwnerId = kind == MemoryScopeKind.Tenant ? null : owner },
            Content = root.GetProperty("content").GetString()!,
            Provenance = new MemoryProvenance
            {
                SourceType = provenance.GetProperty("sourceType").GetString()!,
                SourceRequestId = provenance.TryGetProperty("sourceRequestId", out var request) ? request.GetString() : null,
                SourceActorId = provenance.TryGetProperty("sourceActorId", out var actor) ? actor.GetString() : null,
            },
            Classification = new DataClassification
            {
                Sensitivity = Enum.Parse<Sensitivity>(classification.GetProperty("sensitivity").GetString()!),
                Labels = [.. classification.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!)],
            },
            Tags = [.. root.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!)],
            CreatedAt = new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
            ExpiresAt = reader.GetNullableInt64(8) is { } expires ? new DateTimeOffset(expires, TimeSpan.Zero) : null,
            Retention = (RetentionClass)reader.GetInt32(9),
            Revision = revision,
        };
    }

    /// <summary>Deletes an item, its history and index entry, and erases the evidence payloads about it (their commitments stay in the leaves).</summary>
    public static int DeleteItem(SqliteConnection connection, long id, string itemId, string tenantId)
    {
        using (var command = connection.Command("DELETE FROM memory_fts WHERE docid = $id").With("$id", id))
        {
            command.ExecuteNonQuery();
        }

        int revisions;
        using (var command = connection.Command("DELETE FROM memory_history WHERE item_id = $i AND tenant_id = $t").With("$i", itemId).With("$t", tenantId))
        {
            revisions = command.ExecuteNonQuery();
        }

        using (var command = connection.Command("DELETE FROM memory_item WHERE id = $id AND tenant_id = $t").With("$id", id).With("$t", tenantId))
        {
            command.ExecuteNonQuery();
        }

        using (var command = connection.Command("DELETE FROM evidence_payload WHERE tenant_id = $t AND subject = $s").With("$t", tenantId).With("$s", Subject(itemId)))
        {
            command.ExecuteNonQuery();
        }

        return revisions;
    }
}
