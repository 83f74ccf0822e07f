namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The versions in force when a record was written: model, engine, prompt template, tool, policy, schema, retrieval index,
/// application release and runtime. A <see langword="null"/> member did not apply.
/// </summary>
public sealed record VersionSet
{
    /// <summary>An empty version set.</summary>
    public static VersionSet Empty { get; } = new();

    /// <summary>Gets the model id and version (for example <c>stories260K@sha256:270cba1b</c>).</summary>
    public string? Model { get; init; }

    /// <summary>Gets the inference engine name and version.</summary>
    public string? Engine { get; init; }

    /// <summary>Gets the prompt template version.</summary>
    public string? PromptTemplate { get; init; }

    /// <summary>Gets the tool name and version, for records about a tool call.</summary>
    public string? Tool { get; init; }

    /// <summary>Gets the policy version.</summary>
    public string? Policy { get; init; }

    /// <summary>Gets the output or tool schema version.</summary>
    public string? Schema { get; init; }

    /// <summary>Gets the retrieval index version(s) used for context.</summary>
    public string? RetrievalIndex { get; init; }

    /// <summary>Gets the host application release.</summary>
    public string? Application { get; init; }

    /// <summary>Gets the ARuntime.Sdk runtime version.</summary>
    public string? Runtime { get; init; }
}
