using ARuntime.Sdk.SqlCipher.Evidence;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>What a write operation sees: the writer's connection inside the batch transaction, the evidence log and the batch time.</summary>
internal sealed class WriteContext(SqliteConnection connection, EvidenceLog log)
{
    public SqliteConnection Connection { get; } = connection;

    public EvidenceLog Log { get; } = log;

    /// <summary>Gets the time the batch started (one timestamp per transaction).</summary>
    public DateTimeOffset Now { get; internal set; }
}
