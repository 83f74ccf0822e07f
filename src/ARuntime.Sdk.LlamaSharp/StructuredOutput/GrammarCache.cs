using System.Collections.Concurrent;
using System.Text.Json;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.LlamaSharp.StructuredOutput;

/// <summary>
/// Compiled output constraints by schema text (and name), so a schema that every request of an agent carries is compiled
/// once. Compilation failures are cached too (the same schema fails the same way). Bounded: when full, the cache is
/// cleared rather than tracking recency, since schemas are few and compiling is cheap next to a decode.
/// </summary>
internal sealed class GrammarCache
{
    private readonly ConcurrentDictionary<string, Lazy<Result>> entries = new(StringComparer.Ordinal);
    private readonly Func<JsonElement, OutputConstraint> compile;
    private readonly int capacity;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="compile">Compiles a schema; throws for unsupported schemas.</param>
    /// <param name="capacity">The most entries kept.</param>
    public GrammarCache(Func<JsonElement, OutputConstraint> compile, int capacity)
    {
        this.compile = compile;
        this.capacity = capacity;
    }

    /// <summary>Gets the number of cached schemas.</summary>
    public int Count => entries.Count;

    /// <summary>Gets (compiling on first use) the constraint of a schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="name">The schema name, if any.</param>
    /// <returns>The constraint.</returns>
    public OutputConstraint Get(JsonElement schema, string? name)
    {
        var key = (name ?? string.Empty) + "\u0000" + schema.GetRawText();
        if (entries.Count >= capacity && !entries.ContainsKey(key))
        {
            entries.Clear();
        }

        var clone = schema.Clone();
        var result = entries.GetOrAdd(key, _ => new Lazy<Result>(() => Compile(clone), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        if (result.Constraint is { } constraint)
        {
            return constraint;
        }

        // A fresh exception per caller: one cached instance thrown on many threads would share (and garble) its stack trace.
        throw result.Failure is InferenceException failure
            ? new InferenceException(failure.Kind, failure.Message, failure.InnerException)
            : new InferenceException(InferenceFailureKind.UnsupportedRequest, "The response schema could not be compiled to a grammar.", result.Failure);
    }

    private Result Compile(JsonElement schema)
    {
        try
        {
            return new Result(compile(schema), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new Result(null, ex);
        }
    }

    private sealed record Result(OutputConstraint? Constraint, Exception? Failure);
}
