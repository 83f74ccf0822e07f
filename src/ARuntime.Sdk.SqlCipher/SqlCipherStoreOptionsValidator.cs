using ARuntime.Sdk.SqlCipher.Evidence;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>Validates <see cref="SqlCipherStoreOptions"/>; each failure names the option and what is wrong.</summary>
public sealed class SqlCipherStoreOptionsValidator : IValidateOptions<SqlCipherStoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SqlCipherStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add("DatabasePath is required.");
        }
        else if (Directory.Exists(options.DatabasePath))
        {
            failures.Add($"DatabasePath '{options.DatabasePath}' is a directory; it must name a file.");
        }

        if (options.KeyProvider is null && !options.AllowPlaintextForDevelopment)
        {
            failures.Add("KeyProvider is required (a key file, environment variable or secret reference holding a raw 256-bit key); plaintext storage needs AllowPlaintextForDevelopment = true and is for development only.");
        }

        if (options.NativeLibraryNames.Count == 0 || options.NativeLibraryNames.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("NativeLibraryNames must list at least one non-empty library name or path.");
        }

        if (options.CipherPageSize is < 512 or > 65536 || (options.CipherPageSize & (options.CipherPageSize - 1)) != 0)
        {
            failures.Add("CipherPageSize must be a power of two between 512 and 65536.");
        }

        if (options.KdfIterations < 1)
        {
            failures.Add("KdfIterations must be positive.");
        }

        Positive(options.ReadConnections, "ReadConnections", failures);
        Positive(options.WriteQueueCapacity, "WriteQueueCapacity", failures);
        Positive(options.MaxBatchSize, "MaxBatchSize", failures);
        Positive(options.CheckpointEveryRecords, "CheckpointEveryRecords", failures);
        Positive(options.MaxMemoryContentLength, "MaxMemoryContentLength", failures);
        if (options.WriteRetries < 0)
        {
            failures.Add("WriteRetries must not be negative.");
        }

        if (options.MaxBatchDelay < TimeSpan.Zero || options.CheckpointInterval < TimeSpan.Zero || options.PurgeInterval < TimeSpan.Zero)
        {
            failures.Add("MaxBatchDelay, CheckpointInterval and PurgeInterval must not be negative.");
        }

        if (options.Retention.Transient <= TimeSpan.Zero || options.Retention.Standard <= TimeSpan.Zero || options.Retention.Extended <= TimeSpan.Zero)
        {
            failures.Add("Retention periods must be positive.");
        }

        if (string.IsNullOrEmpty(options.CheckpointOrigin) || options.CheckpointOrigin.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '+'))
        {
            failures.Add("CheckpointOrigin must be non-empty without spaces, control characters or '+' (a schema-less URL such as example.com/evidence).");
        }

        try
        {
            CheckpointSigner.ValidateKeyName(options.CheckpointKeyName);
        }
        catch (ArgumentException ex)
        {
            failures.Add("CheckpointKeyName: " + ex.Message);
        }

        foreach (var key in options.CheckpointVerifierKeys)
        {
            try
            {
                CheckpointVerifier.Parse(key);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                failures.Add("CheckpointVerifierKeys: " + ex.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(int value, string name, List<string> failures)
    {
        if (value <= 0)
        {
            failures.Add($"{name} must be positive.");
        }
    }
}
