using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Validation;

/// <summary>
/// A host-defined domain check of the model's final answer, run at the validation stage after the output-contract check.
/// A violation sends the answer back to the model for a bounded repair.
/// </summary>
public interface IAnswerValidator
{
    /// <summary>Checks an answer.</summary>
    /// <param name="request">The request.</param>
    /// <param name="answer">The answer text.</param>
    /// <param name="structuredAnswer">The structured answer, when the request has an output contract.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The violations; empty when the answer is acceptable.</returns>
    ValueTask<IReadOnlyList<string>> ValidateAsync(RuntimeRequest request, string answer, JsonElement? structuredAnswer, CancellationToken cancellationToken = default);
}
