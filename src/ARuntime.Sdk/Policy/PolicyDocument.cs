using System.Text.Json;
using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.Configuration;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// A versioned policy document: the policy version, defaults, and ordered rules, in the JSON format described in
/// docs/tools-and-policy.md (format <c>aruntime.policy/1</c>). Read it from a file, a stream, a string or a
/// Microsoft.Extensions.Configuration section; every problem is reported at once, each with its location.
/// </summary>
public sealed class PolicyDocument
{
    /// <summary>The document format this runtime reads and writes.</summary>
    public const string CurrentFormat = "aruntime.policy/1";

    /// <summary>Gets the policy version, recorded in every decision.</summary>
    public required string Version { get; init; }

    /// <summary>Gets the document's description.</summary>
    public string? Description { get; init; }

    /// <summary>Gets how long decisions stay valid when their rule sets no lifetime.</summary>
    public TimeSpan? DefaultDecisionLifetime { get; init; }

    /// <summary>Gets the outcome of tool calls without side effects that no rule matches (allow or deny).</summary>
    public PolicyOutcome ReadOnlyToolDefault { get; init; } = PolicyOutcome.Allow;

    /// <summary>Gets the rules, in evaluation order.</summary>
    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];

    /// <summary>Reads a document from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The document.</returns>
    /// <exception cref="PolicyDocumentException">The document is invalid; every problem is listed.</exception>
    public static PolicyDocument Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PolicyDocumentException([$"$: the document is not valid JSON ({ex.Message})."]);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>Reads a document from a JSON element.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The document.</returns>
    /// <exception cref="PolicyDocumentException">The document is invalid; every problem is listed.</exception>
    public static PolicyDocument Parse(JsonElement json)
    {
        var reader = new PolicyDocumentReader();
        return reader.Read(json) ?? throw new PolicyDocumentException(reader.Errors);
    }

    /// <summary>Reads a document from a UTF-8 JSON stream.</summary>
    /// <param name="utf8Json">The stream.</param>
    /// <returns>The document.</returns>
    /// <exception cref="PolicyDocumentException">The document is invalid; every problem is listed.</exception>
    public static PolicyDocument Load(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PolicyDocumentException([$"$: the document is not valid JSON ({ex.Message})."]);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>Reads a document from a UTF-8 JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The document.</returns>
    /// <exception cref="PolicyDocumentException">The file cannot be read or the document is invalid.</exception>
    public static PolicyDocument Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new PolicyDocumentException([$"The policy document '{path}' cannot be read ({ex.GetType().Name}: {ex.Message})."]);
        }

        using (stream)
        {
            try
            {
                return Load(stream);
            }
            catch (PolicyDocumentException ex)
            {
                throw new PolicyDocumentException([.. ex.Errors.Select(e => $"{path}: {e}")]);
            }
        }
    }

    /// <summary>Reads a document from a configuration section (for example <c>configuration.GetSection("ARuntime:Policy")</c>).</summary>
    /// <param name="configuration">The section holding the document's properties.</param>
    /// <returns>The document.</returns>
    /// <exception cref="PolicyDocumentException">The document is invalid; every problem is listed.</exception>
    public static PolicyDocument FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration is IConfigurationSection section ? section.Path : "(configuration root)";
        try
        {
            return Parse(ConfigurationJson.ToJson(configuration));
        }
        catch (PolicyDocumentException ex)
        {
            throw new PolicyDocumentException([.. ex.Errors.Select(e => $"configuration '{name}': {e}")]);
        }
    }

    /// <summary>Applies the document to the engine's options: sets the version and defaults and appends the rules.</summary>
    /// <param name="options">The options.</param>
    public void ApplyTo(PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Version = Version;
        options.Format = CurrentFormat;
        options.DocumentApplied = true;
        options.DefaultDecisionLifetime = DefaultDecisionLifetime ?? options.DefaultDecisionLifetime;
        options.ReadOnlyToolDefault = ReadOnlyToolDefault;
        foreach (var rule in Rules)
        {
            options.Rules.Add(rule);
        }
    }

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
}
