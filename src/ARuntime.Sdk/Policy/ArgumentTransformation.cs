using System.Text.Json;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// One change a <see cref="Contracts.PolicyOutcome.Transform"/> rule makes to a tool call's arguments: narrow (clamp, keep
/// only), redact, remove or set a value addressed by a JSON Pointer. Transformations apply in order; the result must still
/// satisfy the tool's input schema, or the call is denied.
/// </summary>
public sealed record ArgumentTransformation
{
    /// <summary>Gets what the transformation does.</summary>
    public required ArgumentTransformKind Kind { get; init; }

    /// <summary>Gets the JSON Pointer of the value to change (for example <c>/amount</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the value to set (<see cref="ArgumentTransformKind.Set"/>), the redaction marker (<see cref="ArgumentTransformKind.Redact"/>) or the allowed elements (<see cref="ArgumentTransformKind.KeepOnly"/>, an array).</summary>
    public JsonElement? Value { get; init; }

    /// <summary>Gets the lower bound, for <see cref="ArgumentTransformKind.Clamp"/>.</summary>
    public decimal? Minimum { get; init; }

    /// <summary>Gets the upper bound, for <see cref="ArgumentTransformKind.Clamp"/>.</summary>
    public decimal? Maximum { get; init; }
}
