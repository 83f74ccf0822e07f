using System.Security.Cryptography;
using ARuntime.Sdk.SqlCipher.Approvals;
using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Idempotency;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Memory;
using ARuntime.Sdk.SqlCipher.Migrations;
using ARuntime.Sdk.SqlCipher.Native;
using ARuntime.Sdk.SqlCipher.Recovery;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>
/// Durable, encrypted local storage for ARuntime on SQLCipher: the evidence log, agent memory, idempotency keys, the tool
/// operation ledger, paused requests and the request journal, in one database file with one group-commit writer.
/// Open it with <see cref="OpenAsync"/> (or register it with <c>UseSqlCipherStore</c>) and dispose it to close.
/// </summary>
public sealed class SqlCipherStore : IAsyncDisposable, IDisposable
{
    private readonly StoreServices services;

    /// <summary>Gets the parts the store's planes share (tests drive the writer through it, for example to make commits fail).</summary>
    internal StoreServices Services => services;
    private readonly SqlCipherConnectionFactory factory;
    private readonly SqliteConnection writerConnection;
    private readonly StoreLock storeLock;
    private readonly ECDsa? generatedSigningKey;
    private readonly StoreMaintenance maintenance;
    private readonly ITimer? checkpointTimer;
    private readonly ITimer? purgeTimer;
    private int disposed;

    private SqlCipherStore(
        StoreServices services,
        SqlCipherConnectionFactory factory,
        SqliteConnection writerConnection,
        StoreLock storeLock,
        ECDsa? generatedSigningKey,
        SqlCipherLibraryInfo library,
        int schemaVersion)
    {
        this.services = services;
        this.factory = factory;
        this.writerConnection = writerConnection;
        this.storeLock = storeLock;
        this.generatedSigningKey = generatedSigningKey;
        Library = library;
        SchemaVersion = schemaVersion;
        Evidence = new SqlCipherEvidenceStore(services);
        Memory = new SqlCipherMemoryStore(services, Evidence);
        Idempotency = new SqlCipherIdempotencyStore(services);
        Operations = new SqlCipherOperationLedger(services);
        Approvals = new SqlCipherApprovalStore(services);
        Journal = new SqlCipherRequestJournal(services);
        maintenance = new StoreMaintenance(services, Evidence);
        var options = services.Options;
        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            checkpointTimer = services.Time.CreateTimer(_ => RunMaintenance("checkpoint", ct => services.Writer.ExecuteAsync(c => { c.Log.CheckpointDue(c.Now); return 0; }, ct)), null, options.CheckpointInterval, options.CheckpointInterval);
        }

        if (options.PurgeInterval > TimeSpan.Zero)
        {
            purgeTimer = services.Time.CreateTimer(_ => RunMaintenance("purge", PurgeExpiredAsync), null, options.PurgeInterval, options.PurgeInterval);
        }
    }

    /// <summary>Gets the absolute database path.</summary>
    public string DatabasePath => factory.DatabasePath;

    /// <summary>Gets the absolute path of the tenant keyring.</summary>
    public string KeyringPath => services.Keyring.Path;

    /// <summary>Gets the SQLite/SQLCipher library the store runs on, as read back from it.</summary>
    public SqlCipherLibraryInfo Library { get; }

    /// <summary>Gets the database's schema version.</summary>
    public int SchemaVersion { get; }

    /// <summary>Gets the evidence log (<see cref="ARuntime.Sdk.Evidence.IEvidenceSink"/> and <see cref="ARuntime.Sdk.Evidence.IEvidenceReader"/>).</summary>
    public SqlCipherEvidenceStore Evidence { get; }

    /// <summary>Gets agent memory (<see cref="ARuntime.Sdk.Memory.IMemoryStore"/>).</summary>
    public SqlCipherMemoryStore Memory { get; }

    /// <summary>Gets the request idempotency keys (<see cref="ARuntime.Sdk.Idempotency.IIdempotencyStore"/>).</summary>
    public SqlCipherIdempotencyStore Idempotency { get; }

    /// <summary>Gets the tool operation ledger (<see cref="ARuntime.Sdk.Idempotency.IOperationLedger"/>).</summary>
    public SqlCipherOperationLedger Operations { get; }

    /// <summary>Gets the paused requests (<see cref="ARuntime.Sdk.Approvals.IApprovalStore"/>).</summary>
    public SqlCipherApprovalStore Approvals { get; }

    /// <summary>Gets the request journal (<see cref="ARuntime.Sdk.Recovery.IRequestJournal"/>).</summary>
    public SqlCipherRequestJournal Journal { get; }

    /// <summary>
    /// Opens (creating when missing) and verifies a store: loads SQLCipher, keys the database, reads the encryption
    /// settings back, migrates the schema, checks the evidence logs against the trusted and exported checkpoints, and
    /// starts the writer.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The time source for timestamps and schedules (default: the system clock).</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="SqlCipherUnavailableException">SQLCipher is missing or does not encrypt.</exception>
    /// <exception cref="StoreKeyException">The key cannot be obtained or does not open the database (nothing is changed).</exception>
    /// <exception cref="StoreFormatException">The file is not a store (plaintext, foreign, corrupted, or a newer schema).</exception>
    /// <exception cref="StoreInUseException">Another store instance has the database open.</exception>
    /// <exception cref="EvidenceRollbackException">A log is behind a checkpoint kept outside the database.</exception>
    public static async Task<SqlCipherStore> OpenAsync(SqlCipherStoreOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new SqlCipherStoreOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException("Invalid SqlCipherStoreOptions: " + validation.FailureMessage, nameof(options));
        }

        timeProvider ??= TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqlCipherStore>();
        var library = SqlCipherNative.EnsureInitialized(options.NativeLibrary, [.. options.NativeLibraryNames]);
        StoreKey? key = null;
        if (options.KeyProvider is { } provider)
        {
            key = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
        }

        var path = Path.GetFullPath(options.DatabasePath);
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var disposables = new Stack<IDisposable>();
        try
        {
            var factory = new SqlCipherConnectionFactory(options, key, options.KeyProvider?.Description ?? "plaintext development mode", library);
            disposables.Push(factory);

            // A wrong key must change nothing on disk, not even through a write-ahead log left by a crash: prove it first.
            factory.ProveKeyReadOnly();
            var storeLock = StoreLock.Acquire(path);
            disposables.Push(storeLock);
            CreateOwnerOnly(path);
            var connection = factory.Open();
            disposables.Push(connection);
            var info = factory.Verify(connection);
            var previousVersion = MigrationRunner.Migrate(connection, options.TargetSchemaVersion);
            factory.VerifyFileIsEncrypted();

            var keyringKey = GetOrCreateSecret(connection, "keyring-key", () => RandomNumberGenerator.GetBytes(32));
            var keyringPath = options.ResolveKeyringPath();
            if (!File.Exists(keyringPath) && (connection.ScalarInt64("SELECT EXISTS (SELECT 1 FROM evidence_record WHERE payloads IS NOT NULL) OR EXISTS (SELECT 1 FROM memory_item)") ?? 0) != 0)
            {
                throw new StoreFormatException(
                    $"The tenant keyring {keyringPath} is missing, but the database holds sealed tenant data that needs it. Restore the keyring (or point KeyringPath at it); without it that data is unreadable.");
            }

            var keyring = TenantKeyring.Open(keyringPath, keyringKey, timeProvider);
            disposables.Push(keyring);
            ReconcileErasedTenants(connection, keyring);

            ECDsa? generated = null;
            var signingKey = options.CheckpointSigningKey;
            if (signingKey is null)
            {
                var pkcs8 = GetOrCreateSecret(connection, "checkpoint-signing-key", () =>
                {
                    using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    return fresh.ExportPkcs8PrivateKey();
                });
                generated = ECDsa.Create();
                generated.ImportPkcs8PrivateKey(pkcs8, out _);
                CryptographicOperations.ZeroMemory(pkcs8);
                disposables.Push(generated);
                signingKey = generated;
                Log.CheckpointKeyGenerated(logger);
            }

            var signer = CheckpointSigner.Create(options.CheckpointKeyName, signingKey);
            var verifiers = new List<CheckpointVerifier> { signer.CreateVerifier() };
            verifiers.AddRange(options.CheckpointVerifierKeys.Select(CheckpointVerifier.Parse));

            // A log behind a checkpoint kept outside the database means the file was rolled back or rewritten.
            var external = options.TrustedCheckpoints.ToList();
            if (options.CheckpointExportDirectory is { Length: > 0 } exportDirectory)
            {
                external.AddRange(CheckpointFiles.ReadAll(exportDirectory));
            }

            foreach (var note in external)
            {
                SqlCipherEvidenceStore.CheckAgainstCheckpoint(connection, note, options, verifiers);
            }

            var health = new StoreHealthTracker();
            var log = new EvidenceLog(connection, signer, options, logger);
            var readers = new ReaderPool(factory, options.ReadConnections);
            var writer = new StoreWriter(connection, log, options, timeProvider, logger, health);
            var services = new StoreServices
            {
                Options = options,
                Time = timeProvider,
                Logger = logger,
                Writer = writer,
                Readers = readers,
                Keyring = keyring,
                Signer = signer,
                Verifiers = verifiers,
                Health = health,
                Unwritten = new UnwrittenEvidence(options.WriteQueueCapacity),
                Encrypted = key is not null,
            };
            Log.StoreOpened(logger, path, options.TargetSchemaVersion, previousVersion, info.CipherVersion, info.SqliteVersion, library.Name);
            if (key is null)
            {
                Log.PlaintextStorage(logger, path);
            }

            return new SqlCipherStore(services, factory, connection, storeLock, generated, info, options.TargetSchemaVersion);
        }
        catch
        {
            while (disposables.Count > 0)
            {
                disposables.Pop().Dispose();
            }

            key?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Re-encrypts the database under a new key (<c>PRAGMA rekey</c>). Persist the new key where the key provider reads it
    /// before calling this, and keep the old one until this returns.
    /// </summary>
    /// <param name="newKey">The new key (the store keeps a copy).</param>
    /// <param name="cancellationToken">Cancels waiting to start; once started the rekey completes.</param>
    /// <returns>A task that completes when every page is encrypted under the new key.</returns>
    public async Task RekeyAsync(StoreKey newKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        if (!factory.Encrypted)
        {
            throw new InvalidOperationException("A plaintext development store cannot be rekeyed; create an encrypted store instead.");
        }

        var copy = newKey.Clone();
        await services.Readers.RunDrainedAsync(
            async () =>
            {
                await services.Writer.ExecuteAsync(
                    context =>
                    {
                        SqlCipherConnectionFactory.ApplyKey(context.Connection, copy, rekey: true);
                        return 0;
                    },
                    CancellationToken.None,
                    exclusive: true).ConfigureAwait(false);
                factory.ReplaceKey(copy);
            },
            cancellationToken).ConfigureAwait(false);
        Log.Rekeyed(services.Logger);
    }

    /// <summary>
    /// Erases a tenant: destroys its data key (so its sealed memory, raw payloads, idempotency results and paused
    /// requests are unreadable in every copy of the database, backups included) and deletes that data here. Its evidence
    /// log keeps the records' metadata and commitments, still verifiable, and gains a <c>tenant.erased</c> record.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="reason">Why (recorded as a reason code; keep it free of content).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the tenant is erased.</returns>
    public Task EraseTenantAsync(string tenantId, string reason, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return maintenance.EraseTenantAsync(tenantId, reason, cancellationToken);
    }

    /// <summary>Purges expired data now (the same work the <see cref="SqlCipherStoreOptions.PurgeInterval"/> schedule does).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was removed.</returns>
    public Task<PurgeResult> PurgeExpiredAsync(CancellationToken cancellationToken = default) => maintenance.PurgeAsync(cancellationToken);

    /// <summary>Truncates the WAL and rebuilds the file (VACUUM) so freed pages are gone from it.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the file is compacted.</returns>
    public async Task CompactAsync(CancellationToken cancellationToken = default)
    {
        await maintenance.CheckpointWalAsync(cancellationToken).ConfigureAwait(false);
        await services.Writer.ExecuteAsync(
            context =>
            {
                context.Connection.Execute("VACUUM");
                context.Connection.Scalar("PRAGMA wal_checkpoint(TRUNCATE)");
                return 0;
            },
            cancellationToken,
            exclusive: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a consistent copy of the database to <paramref name="destinationPath"/>, encrypted under the same key. The
    /// tenant keyring is not part of it: a restored copy needs the keyring in force at restore time, which is what makes
    /// erasure reach backups.
    /// </summary>
    /// <param name="destinationPath">The backup file (must not exist).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the copy is written.</returns>
    public Task BackupAsync(string destinationPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationPath);
        var destination = Path.GetFullPath(destinationPath);
        if (File.Exists(destination))
        {
            throw new IOException($"The backup destination {destination} already exists.");
        }

        return services.Writer.ExecuteAsync(
            context =>
            {
                using var target = factory.OpenFresh(destination);
                context.Connection.BackupDatabase(target);
                return 0;
            },
            cancellationToken,
            exclusive: true);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        checkpointTimer?.Dispose();
        purgeTimer?.Dispose();
        await services.Writer.DisposeAsync().ConfigureAwait(false);

        // Acknowledged records a failed last batch kept for the next flush have no next flush: they are lost, and said so.
        var unwritten = services.Unwritten.TakeAll();
        if (unwritten.Count > 0)
        {
            services.Health.RecordLostAcknowledged(unwritten.Count);
            foreach (var record in unwritten)
            {
                Log.AcknowledgedEvidenceLost(services.Logger, record.RecordId, record.TenantId, new ARuntime.Sdk.Evidence.EvidenceWriteException("The store closed before the record could be written again."));
            }
        }

        services.Readers.Dispose();
        writerConnection.Dispose();
        factory.Dispose();
        services.Keyring.Dispose();
        generatedSigningKey?.Dispose();
        storeLock.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>Blocks until pending writes are committed; prefer <see cref="DisposeAsync"/>.</remarks>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Creates a new database file readable by its owner only; SQLite gives the WAL and shared-memory files the same mode.</summary>
    private static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created concurrently; the store lock decides who opens it.
        }
    }

    private static byte[] GetOrCreateSecret(SqliteConnection connection, string name, Func<byte[]> create)
    {
        using (var command = connection.Command("SELECT value FROM store_secret WHERE name = $n").With("$n", name))
        {
            if (command.ExecuteScalar() is byte[] existing)
            {
                return existing;
            }
        }

        var value = create();
        using (var command = connection.Command("INSERT INTO store_secret(name, value) VALUES ($n, $v)").With("$n", name).With("$v", value))
        {
            command.ExecuteNonQuery();
        }

        return value;
    }

    private static void ReconcileErasedTenants(SqliteConnection connection, TenantKeyring keyring)
    {
        var erased = new List<(string TenantId, string KeyId)>();
        using (var command = connection.Command("SELECT tenant_id, key_id FROM tenant_key WHERE erased_ticks IS NOT NULL"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                erased.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (tenantId, keyId) in erased)
        {
            keyring.Remove(tenantId, keyId);
        }
    }

    private void RunMaintenance(string task, Func<CancellationToken, Task> work)
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await work(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The store closed while the timer fired.
            }
#pragma warning disable CA1031 // A failed scheduled task is logged and retried at the next tick; it must not crash the process.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.MaintenanceFailed(services.Logger, task, ex);
            }
        }
    }
}
