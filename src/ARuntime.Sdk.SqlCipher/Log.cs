using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>The store's log messages. None of them carries key material or record content.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Opened the SQLCipher store {Path} (schema {SchemaVersion}, migrated from {PreviousVersion}; SQLCipher {CipherVersion} on SQLite {SqliteVersion}, library {Library}).")]
    public static partial void StoreOpened(ILogger logger, string path, int schemaVersion, int previousVersion, string? cipherVersion, string sqliteVersion, string library);

    [LoggerMessage(2, LogLevel.Warning, "The store {Path} is NOT encrypted (AllowPlaintextForDevelopment). Every evidence record is flagged plaintext-storage. Never use this in production.")]
    public static partial void PlaintextStorage(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Warning, "A batch of {Count} writes failed to commit (attempt {Attempt}).")]
    public static partial void BatchCommitFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(4, LogLevel.Error, "The evidence log of tenant {TenantId} does not add up; it was altered outside the store. Writes to it fail until it is verified and repaired.")]
    public static partial void EvidenceLogInconsistent(ILogger logger, string tenantId);

    [LoggerMessage(5, LogLevel.Warning, "Exporting the checkpoint of tenant {TenantId} to {Directory} failed.")]
    public static partial void CheckpointExportFailed(ILogger logger, string tenantId, string directory, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "The acknowledged evidence record {RecordId} of tenant {TenantId} could not be written.")]
    public static partial void AcknowledgedEvidenceLost(ILogger logger, string recordId, string tenantId, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "No checkpoint signing key was configured; the store generated one and keeps it in the database. Configure CheckpointSigningKey with a key kept outside the database to make checkpoints unforgeable by someone holding the database key.")]
    public static partial void CheckpointKeyGenerated(ILogger logger);

    [LoggerMessage(8, LogLevel.Warning, "Scheduled store maintenance ({Task}) failed.")]
    public static partial void MaintenanceFailed(ILogger logger, string task, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Purged expired data: {MemoryItems} memory items, {Payloads} evidence payloads, {IdempotencyKeys} idempotency keys, {Journal} journal entries, {Approvals} paused requests.")]
    public static partial void Purged(ILogger logger, int memoryItems, int payloads, int idempotencyKeys, int journal, int approvals);

    [LoggerMessage(10, LogLevel.Information, "Erased tenant {TenantId}: its data key was destroyed and its sealed data deleted.")]
    public static partial void TenantErased(ILogger logger, string tenantId);

    [LoggerMessage(11, LogLevel.Information, "The store's database key was rotated.")]
    public static partial void Rekeyed(ILogger logger);
}
