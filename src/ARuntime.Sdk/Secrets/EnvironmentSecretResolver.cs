using System.Text;

namespace ARuntime.Sdk.Secrets;

/// <summary>
/// Resolves credential references from environment variables, at the moment a tool needs them (so a rotated variable takes
/// effect at the next call). Errors name the reference and the variables tried, never a value.
/// </summary>
public sealed class EnvironmentSecretResolver : ISecretResolver
{
    private readonly EnvironmentSecretResolverOptions options;
    private readonly Func<string, string?> read;

    /// <summary>Initializes a new instance with the default mapping (<c>ARUNTIME_SECRET_&lt;REFERENCE&gt;</c>).</summary>
    public EnvironmentSecretResolver()
        : this(new EnvironmentSecretResolverOptions())
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The mapping.</param>
    /// <exception cref="ArgumentException">The prefix or an explicit variable name is not a valid variable name.</exception>
    public EnvironmentSecretResolver(EnvironmentSecretResolverOptions options)
        : this(options, Environment.GetEnvironmentVariable)
    {
    }

    internal EnvironmentSecretResolver(EnvironmentSecretResolverOptions options, Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(read);
        if (options.Prefix is null || options.Prefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new ArgumentException($"EnvironmentSecretResolverOptions.Prefix '{options.Prefix}' must contain only ASCII letters, digits and '_'.", nameof(options));
        }

        foreach (var (reference, variable) in options.Variables)
        {
            if (string.IsNullOrWhiteSpace(variable) || variable.Contains('='))
            {
                throw new ArgumentException($"EnvironmentSecretResolverOptions.Variables['{reference}'] must name an environment variable.", nameof(options));
            }
        }

        this.options = options;
        this.read = read;
    }

    /// <summary>Returns the variable a reference maps to for every tenant (explicit mapping first, then the prefix rule).</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The variable name.</returns>
    public string VariableFor(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        return options.Variables.TryGetValue(reference, out var variable) ? variable : options.Prefix + Normalize(reference);
    }

    /// <inheritdoc />
    public ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var tried = new List<string>(2);
        if (options.PerTenant && !string.IsNullOrEmpty(request.TenantId) && !options.Variables.ContainsKey(request.Reference))
        {
            var tenantVariable = options.Prefix + Normalize(request.TenantId) + "__" + Normalize(request.Reference);
            tried.Add(tenantVariable);
            if (read(tenantVariable) is { Length: > 0 } tenantValue)
            {
                return ValueTask.FromResult(new SecretValue(request.Reference, tenantValue));
            }
        }

        var variable = VariableFor(request.Reference);
        tried.Add(variable);
        if (read(variable) is { Length: > 0 } value)
        {
            return ValueTask.FromResult(new SecretValue(request.Reference, value));
        }

        throw new SecretNotFoundException($"The secret reference '{request.Reference}' is not set: no environment variable {string.Join(" or ", tried)}.");
    }

    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return builder.ToString();
    }
}
