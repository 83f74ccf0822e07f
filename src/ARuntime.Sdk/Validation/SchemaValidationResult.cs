namespace ARuntime.Sdk.Validation;

/// <summary>The result of validating a JSON instance against a JSON Schema.</summary>
public sealed record SchemaValidationResult
{
    /// <summary>A valid result.</summary>
    public static SchemaValidationResult Valid { get; } = new() { IsValid = true };

    /// <summary>Gets whether the instance satisfies the schema.</summary>
    public required bool IsValid { get; init; }

    /// <summary>Gets the violations, each as <c>instance-location: message</c> (JSON Pointer locations).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
