using ARuntime.Sdk.Secrets;

namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>Resolves the database key through the host's <see cref="ISecretResolver"/>; the secret holds 64 hexadecimal characters.</summary>
public sealed class SecretStoreKeyProvider : IStoreKeyProvider
{
    private readonly ISecretResolver resolver;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="resolver">The resolver.</param>
    /// <param name="reference">The secret reference.</param>
    public SecretStoreKeyProvider(ISecretResolver resolver, string reference)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        this.resolver = resolver;
        Reference = reference;
    }

    /// <summary>Gets the secret reference.</summary>
    public string Reference { get; }

    /// <summary>Gets or sets the tenant passed to the resolver; the database key belongs to the store, not a tenant.</summary>
    public string ResolverTenantId { get; init; } = "aruntime-store";

    /// <inheritdoc />
    public string Description => $"secret reference {Reference}";

    /// <inheritdoc />
    public async ValueTask<StoreKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        SecretValue value;
        try
        {
            value = await resolver.ResolveAsync(new SecretRequest { Reference = Reference, TenantId = ResolverTenantId }, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretNotFoundException ex)
        {
            throw new StoreKeyException($"The database key could not be resolved from {Description}.", ex);
        }

        return StoreKey.FromHex(value.Reveal(), Description);
    }
}
