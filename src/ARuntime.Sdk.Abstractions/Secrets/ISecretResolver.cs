namespace ARuntime.Sdk.Secrets;

/// <summary>Resolves credential references to values at execution time. Resolution failures fail the call closed.</summary>
public interface ISecretResolver
{
    /// <summary>Resolves a reference.</summary>
    /// <param name="request">The reference and who needs it.</param>
    /// <param name="cancellationToken">Cancels resolution.</param>
    /// <returns>The value.</returns>
    /// <exception cref="SecretNotFoundException">The reference cannot be resolved.</exception>
    ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default);
}
