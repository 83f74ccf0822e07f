namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>A GGUF metadata array, summarized: its element type and length (the elements themselves are skipped).</summary>
/// <param name="ElementType">The GGUF value type of the elements.</param>
/// <param name="Length">The number of elements.</param>
internal readonly record struct GgufArray(GgufValueKind ElementType, ulong Length);
