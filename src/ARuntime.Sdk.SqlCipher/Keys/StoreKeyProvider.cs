using ARuntime.Sdk.Secrets;

namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>Creates the built-in database key providers.</summary>
public static class StoreKeyProvider
{
    /// <summary>Reads the key from a file holding 64 hexadecimal characters that only its owner can read.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="createIfMissing">Generate a key and create the file (owner-only) when it does not exist.</param>
    /// <returns>The provider.</returns>
    public static FileStoreKeyProvider FromFile(string path, bool createIfMissing = false) => new(path, createIfMissing);

    /// <summary>Reads the key from an environment variable holding 64 hexadecimal characters.</summary>
    /// <param name="variableName">The variable.</param>
    /// <returns>The provider.</returns>
    public static EnvironmentStoreKeyProvider FromEnvironment(string variableName) => new(variableName);

    /// <summary>Resolves the key through the host's secret resolver; the secret holds 64 hexadecimal characters.</summary>
    /// <param name="resolver">The resolver.</param>
    /// <param name="reference">The secret reference.</param>
    /// <returns>The provider.</returns>
    public static SecretStoreKeyProvider FromSecret(ISecretResolver resolver, string reference) => new(resolver, reference);

    /// <summary>Uses a key the host already holds (the provider keeps a copy).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The provider.</returns>
    public static IStoreKeyProvider FromKey(StoreKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new FixedStoreKeyProvider(key.Clone());
    }

    private sealed class FixedStoreKeyProvider(StoreKey key) : IStoreKeyProvider
    {
        public string Description => "a key supplied by the host";

        public ValueTask<StoreKey> GetKeyAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(key.Clone());
    }
}
