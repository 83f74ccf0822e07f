using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tools;

/// <summary>What a tool returned. Results are validated against the descriptor's output schema before the model sees them.</summary>
public sealed record ToolResult
{
    /// <summary>Gets how the call ended.</summary>
    public required ToolResultStatus Status { get; init; }

    /// <summary>Gets the output, for succeeded calls.</summary>
    public JsonElement? Output { get; init; }

    /// <summary>Gets an error description safe to show the model, for failed calls.</summary>
    public string? Error { get; init; }

    /// <summary>Gets identifiers of the external resources the call changed (for evidence and compensation).</summary>
    public IReadOnlyList<string> ChangedResources { get; init => field = value ?? []; } = [];

    /// <summary>Gets the classification of the output; combined with the descriptor's output classification.</summary>
    public DataClassification? Classification { get; init; }

    /// <summary>Creates a succeeded result.</summary>
    /// <param name="output">The output.</param>
    /// <param name="changedResources">The resources the call changed.</param>
    /// <returns>The result.</returns>
    public static ToolResult Success(JsonElement output, params string[] changedResources) =>
        new() { Status = ToolResultStatus.Succeeded, Output = output, ChangedResources = changedResources };

    /// <summary>Creates a failed result.</summary>
    /// <param name="error">The error, safe to show the model.</param>
    /// <returns>The result.</returns>
    public static ToolResult Failure(string error) => new() { Status = ToolResultStatus.Failed, Error = error };
}
