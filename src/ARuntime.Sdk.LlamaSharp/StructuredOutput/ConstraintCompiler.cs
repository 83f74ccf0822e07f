using System.Text.Json;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.LlamaSharp.StructuredOutput;

/// <summary>Compiles a response schema into an <see cref="OutputConstraint"/> (grammar plus validator).</summary>
internal static class ConstraintCompiler
{
    /// <summary>Compiles <paramref name="schema"/>.</summary>
    /// <param name="schema">The JSON Schema.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="InferenceException">The schema uses something the compiler does not support (<see cref="InferenceFailureKind.UnsupportedRequest"/>).</exception>
    public static OutputConstraint Compile(JsonElement schema) =>
        throw new InferenceException(InferenceFailureKind.UnsupportedRequest, "JSON Schema constrained output is not available yet.");
}
