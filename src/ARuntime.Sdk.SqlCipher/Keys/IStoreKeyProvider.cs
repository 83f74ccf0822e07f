namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>
/// Supplies the raw 256-bit database key. Keys come from a secret resolver, an owner-only key file or an environment
/// variable — never from a passphrase in configuration. See <see cref="StoreKeyProvider"/> for the built-in providers.
/// </summary>
public interface IStoreKeyProvider
{
    /// <summary>Gets a description of where the key comes from (a path, variable name or secret reference), for error messages; never the key.</summary>
    string Description { get; }

    /// <summary>Returns the key. The caller disposes it.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key.</returns>
    /// <exception cref="StoreKeyException">The key cannot be obtained or is malformed.</exception>
    ValueTask<StoreKey> GetKeyAsync(CancellationToken cancellationToken = default);
}
