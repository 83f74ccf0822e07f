using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Validation;

/// <summary>
/// A host-defined domain check of tool results (for example "a refund never exceeds the order total"), run at the validation
/// stage after the output-schema check. An unexpected result is a failure, not an answer.
/// </summary>
public interface IToolResultValidator
{
    /// <summary>Checks a result.</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="toolCall">The call as it ran.</param>
    /// <param name="result">The tool's result.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The violations; empty when the result is acceptable.</returns>
    ValueTask<IReadOnlyList<string>> ValidateAsync(ToolDescriptor tool, ToolCall toolCall, ToolResult result, CancellationToken cancellationToken = default);
}
