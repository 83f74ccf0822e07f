using System.Security.Cryptography;
using System.Text.Json;
using ARuntime.Sdk.SqlCipher.Native;
using ARuntime.Sdk.SqlCipher.Storage;

namespace ARuntime.Sdk.SqlCipher.Tenants;

/// <summary>
/// The tenants' data keys, kept in a small owner-only file beside the database (not in it), sealed with AES-256-GCM under
/// a random keyring key that the database holds. Keeping the data keys out of the database file is what makes erasure
/// reach old copies: a backup of the database taken before a tenant was erased still needs the current keyring to open
/// its payloads, and the current keyring no longer has that tenant's key.
/// </summary>
internal sealed class TenantKeyring : IDisposable
{
    private static readonly byte[] Magic = "ARKR\u0001"u8.ToArray();
    private static readonly byte[] AssociatedData = "aruntime-keyring/1"u8.ToArray();

    private readonly string path;
    private readonly byte[] sealingKey;
    private readonly TimeProvider timeProvider;
    private readonly Lock gate = new();
    private readonly Dictionary<string, TenantDataKey> keys = new(StringComparer.Ordinal);

    private TenantKeyring(string path, byte[] sealingKey, TimeProvider timeProvider)
    {
        this.path = path;
        this.sealingKey = sealingKey;
        this.timeProvider = timeProvider;
    }

    public string Path => path;

    public static TenantKeyring Open(string path, byte[] sealingKey, TimeProvider timeProvider)
    {
        var keyring = new TenantKeyring(path, sealingKey, timeProvider);
        if (File.Exists(path))
        {
            keyring.Load();
        }

        return keyring;
    }

    public TenantDataKey? TryGet(string tenantId)
    {
        lock (gate)
        {
            return keys.GetValueOrDefault(tenantId);
        }
    }

    public TenantDataKey GetOrCreate(string tenantId)
    {
        lock (gate)
        {
            if (keys.TryGetValue(tenantId, out var existing))
            {
                return existing;
            }

            var created = new TenantDataKey(tenantId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), RandomNumberGenerator.GetBytes(32), timeProvider.GetUtcNow().UtcTicks);
            keys[tenantId] = created;
            try
            {
                Persist();
            }
            catch
            {
                keys.Remove(tenantId);
                throw;
            }

            return created;
        }
    }

    /// <summary>Destroys a tenant's key (only the given key id, when one is named) and rewrites the keyring.</summary>
    public bool Remove(string tenantId, string? keyId = null)
    {
        lock (gate)
        {
            if (!keys.TryGetValue(tenantId, out var key) || (keyId is not null && key.KeyId != keyId))
            {
                return false;
            }

            keys.Remove(tenantId);

            // The erasure has committed and the keyring file without the key is in place; a directory that cannot be
            // flushed must not make the erasure look failed (the key is gone from memory and from the file either way).
            Persist(requireDurableRename: false);
            key.Dispose();
            return true;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            keys.Clear();
            CryptographicOperations.ZeroMemory(sealingKey);
        }
    }

    private void Load()
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreFormatException($"The tenant keyring {path} could not be read.", ex);
        }

        if (file.Length < Magic.Length || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SealedBox.TryOpen(sealingKey, file.AsSpan(Magic.Length), AssociatedData, out var plaintext))
        {
            throw new StoreFormatException($"The tenant keyring {path} does not belong to this database or is damaged.");
        }

        try
        {
            using var document = JsonDocument.Parse(plaintext);
            foreach (var entry in document.RootElement.GetProperty("tenants").EnumerateArray())
            {
                var tenantId = entry.GetProperty("tenantId").GetString()!;
                keys[tenantId] = new TenantDataKey(
                    tenantId,
                    entry.GetProperty("keyId").GetString()!,
                    entry.GetProperty("key").GetBytesFromBase64(),
                    entry.GetProperty("createdTicks").GetInt64());
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private void Persist(bool requireDurableRename = true)
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("tenants");
            foreach (var key in keys.Values.OrderBy(k => k.TenantId, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("tenantId", key.TenantId);
                writer.WriteString("keyId", key.KeyId);
                writer.WriteBase64String("key", key.KeyBytes);
                writer.WriteNumber("createdTicks", key.CreatedTicks);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var plaintext = json.GetBuffer().AsSpan(0, (int)json.Length);
        var sealedValue = SealedBox.Seal(sealingKey, plaintext, AssociatedData);
        CryptographicOperations.ZeroMemory(plaintext);

        var temp = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Magic);
            stream.Write(sealedValue);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);

        // The rename is durable only with its directory entry: a new tenant key must survive a power loss.
        try
        {
            DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        }
        catch (IOException) when (!requireDurableRename)
        {
            // See Remove.
        }
    }
}
