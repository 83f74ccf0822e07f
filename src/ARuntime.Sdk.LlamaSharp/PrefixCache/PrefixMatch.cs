namespace ARuntime.Sdk.LlamaSharp.PrefixCache;

/// <summary>The result of a prefix lookup: the entry to restore and how many of its leading tokens the prompt shares.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="Length">The number of shared leading tokens to keep after restoring.</param>
internal readonly record struct PrefixMatch(PrefixCacheEntry Entry, int Length);
