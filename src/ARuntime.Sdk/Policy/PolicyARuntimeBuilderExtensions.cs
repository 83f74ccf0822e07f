using ARuntime.Sdk.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

#pragma warning disable IDE0130 // Builder extensions live in the builder's namespace, by convention.
namespace ARuntime.Sdk;
#pragma warning restore IDE0130

/// <summary>
/// Configures the rule-based policy engine from versioned policy documents (JSON files, streams, or
/// Microsoft.Extensions.Configuration sections). Documents are read when the options are built and validated at startup:
/// a problem in a document stops the runtime from starting, with a message naming the document, the location and the fix.
/// </summary>
public static class PolicyARuntimeBuilderExtensions
{
    /// <summary>Reads the policy document from a configuration section (for example <c>configuration.GetSection("ARuntime:Policy")</c>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The section holding the document's properties (<c>format</c>, <c>version</c>, <c>rules</c>, …).</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder ConfigurePolicy(this ARuntimeBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return Apply(builder, () => PolicyDocument.FromConfiguration(configuration));
    }

    /// <summary>Reads the policy document from a JSON file.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddPolicyDocument(this ARuntimeBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Apply(builder, () => PolicyDocument.Load(path));
    }

    /// <summary>Reads the policy document from a UTF-8 JSON stream (read now; the stream may be disposed afterwards).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="utf8Json">The stream.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddPolicyDocument(this ARuntimeBuilder builder, Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var copy = new MemoryStream();
        utf8Json.CopyTo(copy);
        var bytes = copy.ToArray();
        return Apply(builder, () => PolicyDocument.Load(new MemoryStream(bytes, writable: false)));
    }

    /// <summary>Uses a policy document that was already read.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="document">The document.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddPolicyDocument(this ARuntimeBuilder builder, PolicyDocument document)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(document);
        return Apply(builder, () => document);
    }

    private static ARuntimeBuilder Apply(ARuntimeBuilder builder, Func<PolicyDocument> read)
    {
        builder.Services.Configure<ARuntimeOptions>(options =>
        {
            try
            {
                read().ApplyTo(options.Policy);
            }
            catch (PolicyDocumentException ex)
            {
                // Reported by startup validation, together with every other problem.
                options.Policy.LoadErrors.AddRange(ex.Errors.Select(e => "Policy document: " + e));
            }
        });
        return builder;
    }
}
