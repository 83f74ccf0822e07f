namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>The outcome of validating generated JSON against its schema.</summary>
/// <param name="IsValid">Whether the text is JSON that satisfies the schema.</param>
/// <param name="Errors">What is wrong, one entry per failing location (<c>instance pointer: message</c>); empty when valid.</param>
internal sealed record SchemaValidationResult(bool IsValid, IReadOnlyList<string> Errors)
{
    /// <summary>Gets the valid result.</summary>
    public static SchemaValidationResult Valid { get; } = new(true, []);
}
