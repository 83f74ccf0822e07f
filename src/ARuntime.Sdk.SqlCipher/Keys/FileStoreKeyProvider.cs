namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>
/// Reads the database key from a file holding 64 hexadecimal characters. On Unix the file must be readable by its owner
/// only (mode 0600 or stricter); a file others can read is refused. With <c>createIfMissing</c> a new key is generated and
/// the file created owner-only (its directory owner-only too, when created).
/// </summary>
public sealed class FileStoreKeyProvider : IStoreKeyProvider
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="createIfMissing">Generate a key and create the file when it does not exist.</param>
    public FileStoreKeyProvider(string path, bool createIfMissing = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        CreateIfMissing = createIfMissing;
    }

    /// <summary>Gets the absolute path of the key file.</summary>
    public string Path { get; }

    /// <summary>Gets whether a missing file is created with a new key.</summary>
    public bool CreateIfMissing { get; }

    /// <inheritdoc />
    public string Description => $"key file {Path}";

    /// <summary>Writes a key file (owner-only), replacing an existing one atomically; used to rotate keys.</summary>
    /// <param name="path">The file.</param>
    /// <param name="key">The key.</param>
    public static void WriteKeyFile(string path, StoreKey key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(key);
        var fullPath = System.IO.Path.GetFullPath(path);
        EnsureDirectory(fullPath);
        var temp = fullPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        WriteNew(temp, key);
        File.Move(temp, fullPath, overwrite: true);
    }

    /// <inheritdoc />
    public ValueTask<StoreKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path))
        {
            if (!CreateIfMissing)
            {
                throw new StoreKeyException($"The {Description} does not exist. Create it with 64 hexadecimal characters (for example `openssl rand -hex 32 > {Path} && chmod 600 {Path}`), or allow the store to create it.");
            }

            EnsureDirectory(Path);
            using var generated = StoreKey.Generate();
            try
            {
                WriteNew(Path, generated);
            }
            catch (IOException) when (File.Exists(Path))
            {
                // Another process created it first; read theirs.
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(Path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new StoreKeyException($"The {Description} can be read or written by other users (mode {Convert.ToString((int)mode, 8)}); make it owner-only (chmod 600).");
            }
        }

        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreKeyException($"The {Description} could not be read.", ex);
        }

        return ValueTask.FromResult(StoreKey.FromHex(text, Description));
    }

    private static void EnsureDirectory(string filePath)
    {
        var directory = System.IO.Path.GetDirectoryName(filePath);
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void WriteNew(string path, StoreKey key)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(key.ToHexString());
        writer.Write('\n');
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }
}
