using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Inference;

/// <summary>What an engine is and what it can do; recorded in the version set of every inference evidence record.</summary>
public sealed record InferenceEngineMetadata
{
    /// <summary>Gets the engine name (for example <c>llama.cpp</c> or <c>scripted</c>).</summary>
    public required string EngineName { get; init; }

    /// <summary>Gets the engine version.</summary>
    public required string EngineVersion { get; init; }

    /// <summary>Gets the model id (for example the GGUF file's <c>general.name</c>).</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the model version (for example a content hash prefix of the model file).</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets the prompt template the engine renders messages with, and its version.</summary>
    public string? PromptTemplate { get; init; }

    /// <summary>Gets the engine's capabilities.</summary>
    public RouteCapabilities Capabilities { get; init; } = RouteCapabilities.None;
}
