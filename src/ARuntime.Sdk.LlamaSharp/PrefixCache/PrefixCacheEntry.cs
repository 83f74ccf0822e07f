using LLama;

namespace ARuntime.Sdk.LlamaSharp.PrefixCache;

/// <summary>A saved prefix: the tokens whose KV state it holds and the state itself (host memory).</summary>
internal sealed class PrefixCacheEntry
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="tokens">The token ids of the prefix.</param>
    /// <param name="state">The saved sequence state.</param>
    public PrefixCacheEntry(int[] tokens, LLamaContext.SequenceState state)
    {
        Tokens = tokens;
        State = state;
        SizeBytes = (long)state.Size;
    }

    /// <summary>Gets the token ids.</summary>
    public int[] Tokens { get; }

    /// <summary>Gets the saved state.</summary>
    public LLamaContext.SequenceState State { get; }

    /// <summary>Gets the state's size in bytes.</summary>
    public long SizeBytes { get; }

    /// <summary>Gets or sets this entry's node in the LRU list.</summary>
    public LinkedListNode<PrefixCacheEntry>? Node { get; set; }
}
