using ARuntime.Sdk.Secrets;

#pragma warning disable IDE0130 // Builder extensions live in the builder's namespace, by convention.
namespace ARuntime.Sdk;
#pragma warning restore IDE0130

/// <summary>Registers the built-in secret resolvers, which resolve tools' auth references at execution time.</summary>
public static class SecretsARuntimeBuilderExtensions
{
    /// <summary>Resolves tools' auth references from environment variables (<c>ARUNTIME_SECRET_&lt;REFERENCE&gt;</c> by default).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the mapping; may be <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder UseEnvironmentSecrets(this ARuntimeBuilder builder, Action<EnvironmentSecretResolverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EnvironmentSecretResolverOptions();
        configure?.Invoke(options);
        return builder.UseSecretResolver(new EnvironmentSecretResolver(options));
    }

    /// <summary>Resolves tools' auth references from values held in memory (tests, development, or values loaded from a vault at startup).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="secrets">The values by reference, for every tenant.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder UseInMemorySecrets(this ARuntimeBuilder builder, IEnumerable<KeyValuePair<string, string>> secrets)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseSecretResolver(new InMemorySecretResolver(secrets));
    }
}
