using System.Collections.Concurrent;

namespace ARuntime.Sdk.Secrets;

/// <summary>
/// Resolves credential references from values held in memory — for tests, development, and hosts that load secrets from
/// their own vault at startup. A value can be set for one tenant (it then wins over the value for every tenant); values can
/// be replaced at any time (rotation takes effect at the next tool call, since references are resolved late).
/// </summary>
public sealed class InMemorySecretResolver : ISecretResolver
{
    private readonly ConcurrentDictionary<(string? Tenant, string Reference), string> values = new();

    /// <summary>Initializes an empty resolver.</summary>
    public InMemorySecretResolver()
    {
    }

    /// <summary>Initializes a resolver with values for every tenant.</summary>
    /// <param name="secrets">The values by reference.</param>
    public InMemorySecretResolver(IEnumerable<KeyValuePair<string, string>> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var (reference, value) in secrets)
        {
            Set(reference, value);
        }
    }

    /// <summary>Sets (or replaces) a value.</summary>
    /// <param name="reference">The reference tools name in their auth reference.</param>
    /// <param name="value">The secret value.</param>
    /// <param name="tenantId">The tenant the value is for; <see langword="null"/> for every tenant.</param>
    /// <returns>This resolver.</returns>
    public InMemorySecretResolver Set(string reference, string value, string? tenantId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentException.ThrowIfNullOrEmpty(value);
        values[(tenantId, reference)] = value;
        return this;
    }

    /// <summary>Removes a value.</summary>
    /// <param name="reference">The reference.</param>
    /// <param name="tenantId">The tenant the value is for; <see langword="null"/> for the value for every tenant.</param>
    /// <returns><see langword="true"/> when a value was removed.</returns>
    public bool Remove(string reference, string? tenantId = null) => values.TryRemove((tenantId, reference), out _);

    /// <inheritdoc />
    public ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (values.TryGetValue((request.TenantId, request.Reference), out var value) || values.TryGetValue((null, request.Reference), out value))
        {
            return ValueTask.FromResult(new SecretValue(request.Reference, value));
        }

        throw new SecretNotFoundException($"No value is set for the secret reference '{request.Reference}' (tenant '{request.TenantId}').");
    }
}
