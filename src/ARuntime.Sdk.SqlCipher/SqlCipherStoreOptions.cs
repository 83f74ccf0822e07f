using System.Security.Cryptography;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Native;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>Options of the SQLCipher store. Only <see cref="DatabasePath"/> and <see cref="KeyProvider"/> are required.</summary>
public sealed class SqlCipherStoreOptions
{
    /// <summary>Gets or sets the database file. The store also uses <c>&lt;path&gt;-wal</c>, <c>&lt;path&gt;-shm</c>, <c>&lt;path&gt;.lock</c> and, by default, <c>&lt;path&gt;.keyring</c>.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>Gets or sets where the raw 256-bit database key comes from (see <see cref="StoreKeyProvider"/>). Required unless <see cref="AllowPlaintextForDevelopment"/>.</summary>
    public IStoreKeyProvider? KeyProvider { get; set; }

    /// <summary>
    /// Gets or sets whether to store everything unencrypted, for development only. Every evidence record written then
    /// carries the <c>plaintext-storage</c> flag, so the opt-out is recorded in the log itself. Ignored when a key provider is set.
    /// </summary>
    public bool AllowPlaintextForDevelopment { get; set; }

    /// <summary>Gets or sets how the SQLCipher native library is found.</summary>
    public SqlCipherLibraryResolution NativeLibrary { get; set; } = SqlCipherLibraryResolution.Auto;

    /// <summary>Gets the library names or paths tried for the system library, in order (defaults per operating system).</summary>
    public IList<string> NativeLibraryNames { get; } = [.. SqlCipherNative.DefaultLibraryNames];

    /// <summary>Gets or sets the SQLCipher page size, set explicitly and read back on every connection. Changing it makes existing databases unreadable.</summary>
    public int CipherPageSize { get; set; } = 4096;

    /// <summary>Gets or sets SQLCipher's kdf_iter, set explicitly and read back (raw keys skip the passphrase KDF; the value pins the file's settings).</summary>
    public int KdfIterations { get; set; } = 256_000;

    /// <summary>
    /// Gets or sets whether a write's caller is released only once its commit is on stable storage (it survives a power
    /// loss); the store flushes the write-ahead log after each commit, off the writer loop. False releases callers after
    /// COMMIT without flushing: writes survive a process crash, not a power loss.
    /// </summary>
    public bool FullSync { get; set; } = true;

    /// <summary>Gets or sets the number of pooled read connections.</summary>
    public int ReadConnections { get; set; } = 4;

    /// <summary>Gets or sets the capacity of the write queue; writers wait when it is full.</summary>
    public int WriteQueueCapacity { get; set; } = 16_384;

    /// <summary>Gets or sets the most writes committed in one transaction (group commit).</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Gets or sets how long a batch may wait for more writes after its first; zero commits as soon as the writer is free (writes arriving during a commit form the next batch).</summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets how many times a failed batch commit is retried before its writes fail.</summary>
    public int WriteRetries { get; set; } = 2;

    /// <summary>
    /// Gets or sets whether raw payload content (<see cref="Contracts.PayloadDigest.Content"/>) is stored. Off by default:
    /// only digests, sizes and classifications are kept and the record is flagged <c>raw-content-discarded</c>. When on,
    /// content is sealed with the tenant's data key.
    /// </summary>
    public bool StoreRawPayloadContent { get; set; }

    /// <summary>Gets or sets the checkpoint origin prefix; each tenant's log has origin <c>&lt;prefix&gt;/&lt;escaped tenant id&gt;</c>.</summary>
    public string CheckpointOrigin { get; set; } = "aruntime.local/evidence";

    /// <summary>Gets or sets the signing key's name in checkpoint signature lines (no spaces or '+').</summary>
    public string CheckpointKeyName { get; set; } = "aruntime.local/evidence";

    /// <summary>
    /// Gets or sets the ECDSA P-256 key that signs checkpoints; the host keeps it outside the database. When null the
    /// store generates one and keeps it in the database (checkpoints then show corruption and rollback, not forgery by
    /// someone holding the database key); see docs/security-model.md.
    /// </summary>
    public ECDsa? CheckpointSigningKey { get; set; }

    /// <summary>Gets or sets after how many new records a tenant's log gets a checkpoint.</summary>
    public int CheckpointEveryRecords { get; set; } = 1000;

    /// <summary>Gets or sets after how long a tenant's log with new records gets a checkpoint; <see cref="TimeSpan.Zero"/> checkpoints by record count only.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets a directory outside the database where each new checkpoint is also written (<c>&lt;escaped tenant&gt;.checkpoint</c>); checked against the database on open.</summary>
    public string? CheckpointExportDirectory { get; set; }

    /// <summary>Gets the signed checkpoints the host kept elsewhere; on open, a log that is behind any of them fails as a rollback.</summary>
    public IList<string> TrustedCheckpoints { get; } = [];

    /// <summary>Gets additional verifier keys (<c>name+keyid+base64</c>) trusted for <see cref="TrustedCheckpoints"/>, for example of an earlier signing key.</summary>
    public IList<string> CheckpointVerifierKeys { get; } = [];

    /// <summary>Gets or sets the keyring file holding the tenants' data keys; default <c>&lt;DatabasePath&gt;.keyring</c>. Keep it off database backups to keep erasure effective on them.</summary>
    public string? KeyringPath { get; set; }

    /// <summary>Gets how long data is kept per retention class (memory items without an explicit expiry, raw evidence payloads, idempotency records).</summary>
    public RetentionPeriods Retention { get; } = new();

    /// <summary>Gets or sets how often expired data is purged; <see cref="TimeSpan.Zero"/> turns the schedule off (call <see cref="SqlCipherStore.PurgeExpiredAsync"/>).</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the longest memory content accepted, in characters.</summary>
    public int MaxMemoryContentLength { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the schema version to migrate to; tests use it to create databases of an earlier version.</summary>
    internal int TargetSchemaVersion { get; set; } = Migrations.SchemaMigrations.CurrentVersion;

    /// <summary>Returns the keyring path in effect.</summary>
    /// <returns>The absolute keyring path.</returns>
    public string ResolveKeyringPath() => Path.GetFullPath(KeyringPath ?? (DatabasePath + ".keyring"));
}
