namespace ARuntime.Sdk.Secrets;

/// <summary>How <see cref="EnvironmentSecretResolver"/> maps credential references to environment variables.</summary>
public sealed class EnvironmentSecretResolverOptions
{
    /// <summary>
    /// Gets or sets the prefix of the variable names (default <c>ARUNTIME_SECRET_</c>). A reference maps to the prefix followed
    /// by the reference in upper case with every character other than a letter or digit replaced by <c>_</c>: the reference
    /// <c>payments-api</c> maps to <c>ARUNTIME_SECRET_PAYMENTS_API</c>.
    /// </summary>
    public string Prefix { get; set; } = "ARUNTIME_SECRET_";

    /// <summary>Gets explicit variable names by reference; they take precedence over the prefix mapping.</summary>
    public IDictionary<string, string> Variables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether a tenant-specific variable is looked up first: the prefix, the tenant id normalized the same way,
    /// two underscores, then the normalized reference (<c>ARUNTIME_SECRET_ACME__PAYMENTS_API</c>). When it is unset the
    /// variable for every tenant is used.
    /// </summary>
    public bool PerTenant { get; set; }
}
