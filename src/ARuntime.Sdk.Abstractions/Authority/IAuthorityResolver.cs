namespace ARuntime.Sdk.Authority;

/// <summary>
/// Resolves what a request may do — data, models, tools, side effects, delegation — from the identity the host
/// authenticated. Authority never comes from model text, and delegation can only narrow it.
/// </summary>
public interface IAuthorityResolver
{
    /// <summary>Resolves the request's authority.</summary>
    /// <param name="context">The request and the registered tools.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    /// <returns>The grant.</returns>
    ValueTask<AuthorityGrant> ResolveAsync(AuthorityContext context, CancellationToken cancellationToken = default);
}
