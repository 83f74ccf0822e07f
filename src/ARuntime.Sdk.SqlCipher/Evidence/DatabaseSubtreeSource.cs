using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Reads perfect subtree hashes of a tenant's tree from the stored Merkle nodes.</summary>
internal sealed class DatabaseSubtreeSource : ISubtreeHashSource, IDisposable
{
    private readonly SqliteCommand command;
    private readonly SqliteParameter level;
    private readonly SqliteParameter index;
    private readonly string tenantId;

    public DatabaseSubtreeSource(SqliteConnection connection, string tenantId)
    {
        this.tenantId = tenantId;
        command = connection.Command("SELECT hash FROM merkle_node WHERE tenant_id = $t AND level = $l AND node_index = $i");
        command.Parameters.AddWithValue("$t", tenantId);
        level = command.Parameters.AddWithValue("$l", 0);
        index = command.Parameters.AddWithValue("$i", 0L);
    }

    public byte[] GetPerfectSubtree(int level, long index)
    {
        this.level.Value = level;
        this.index.Value = index;
        return command.ExecuteScalar() as byte[]
            ?? throw new EvidenceIntegrityException($"The evidence log of tenant '{tenantId}' is missing Merkle node ({level}, {index}); it was altered outside the store.");
    }

    public void Dispose() => command.Dispose();
}
