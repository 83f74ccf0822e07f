using System.Runtime.InteropServices;
using LLama;

namespace ARuntime.Sdk.LlamaSharp.PrefixCache;

/// <summary>
/// An LRU cache of saved sequence states (KV cells in host memory) keyed by their token prefix, capped in bytes. A
/// request whose prompt shares at least <see cref="MinTokens"/> leading tokens with an entry restores that entry's state
/// (trimmed to the shared length) instead of prefilling those tokens. Used only from the scheduler loop; the counters
/// may be read from any thread.
/// </summary>
internal sealed class PrefixStateCache : IDisposable
{
    private readonly LinkedList<PrefixCacheEntry> lru = new();
    private long sizeBytes;
    private long hits;
    private long misses;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="capacityBytes">The memory cap.</param>
    /// <param name="minTokens">The shortest useful prefix.</param>
    public PrefixStateCache(long capacityBytes, int minTokens)
    {
        CapacityBytes = capacityBytes;
        MinTokens = minTokens;
    }

    /// <summary>Gets the memory cap in bytes.</summary>
    public long CapacityBytes { get; }

    /// <summary>Gets the shortest prefix worth restoring.</summary>
    public int MinTokens { get; }

    /// <summary>Gets the bytes held.</summary>
    public long SizeBytes => Interlocked.Read(ref sizeBytes);

    /// <summary>Gets the number of entries.</summary>
    public int Count => lru.Count;

    /// <summary>Gets the number of lookups whose prefix was restored (see <see cref="CountLookup"/>).</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Gets the number of lookups that restored nothing (no prefix found, or its restore failed).</summary>
    public long Misses => Interlocked.Read(ref misses);

    /// <summary>Gets the average state size per token seen so far (to decide whether saving a long sequence is worth it).</summary>
    public double BytesPerToken { get; private set; }

    /// <summary>Finds the entry sharing the longest prefix with <paramref name="tokens"/>, using at most <paramref name="maxLength"/> tokens.</summary>
    /// <param name="tokens">The prompt tokens.</param>
    /// <param name="maxLength">The most tokens that may come from the cache (one less than the prompt, so the last token is decoded for its logits).</param>
    /// <returns>The match, or <see langword="null"/>. Not counted as a hit or miss: the caller knows whether the restore
    /// worked and calls <see cref="CountLookup"/>.</returns>
    public PrefixMatch? Find(ReadOnlySpan<int> tokens, int maxLength)
    {
        var usable = tokens[..Math.Min(maxLength, tokens.Length)];
        PrefixCacheEntry? best = null;
        var bestLength = 0;
        foreach (var entry in lru)
        {
            var shared = usable.CommonPrefixLength(entry.Tokens);
            if (shared > bestLength)
            {
                best = entry;
                bestLength = shared;
            }
        }

        if (best is null || bestLength < MinTokens)
        {
            return null;
        }

        Touch(best);
        return new PrefixMatch(best, bestLength);
    }

    /// <summary>Counts a lookup as a hit or a miss.</summary>
    /// <param name="hit">Whether a prefix was restored.</param>
    public void CountLookup(bool hit) => Interlocked.Increment(ref hit ? ref hits : ref misses);

    /// <summary>Returns whether an entry holds exactly <paramref name="tokens"/> (or a longer sequence starting with them).</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>Whether saving them again would be redundant.</returns>
    public bool Covers(ReadOnlySpan<int> tokens)
    {
        foreach (var entry in lru)
        {
            if (entry.Tokens.Length >= tokens.Length && entry.Tokens.AsSpan(0, tokens.Length).SequenceEqual(tokens))
            {
                Touch(entry);
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds a saved state, evicting least recently used entries to stay under the cap; takes ownership of <paramref name="state"/>.</summary>
    /// <param name="tokens">The tokens the state holds.</param>
    /// <param name="state">The state.</param>
    /// <returns>Whether the state was kept (a state larger than the cap is disposed).</returns>
    public bool Add(int[] tokens, LLamaContext.SequenceState state)
    {
        var entry = new PrefixCacheEntry(tokens, state);
        if (tokens.Length > 0)
        {
            BytesPerToken = (double)entry.SizeBytes / tokens.Length;
        }

        if (entry.SizeBytes > CapacityBytes)
        {
            state.Dispose();
            return false;
        }

        // An entry that is a prefix of the new one is now redundant.
        foreach (var existing in lru.ToList())
        {
            if (existing.Tokens.Length <= tokens.Length && tokens.AsSpan(0, existing.Tokens.Length).SequenceEqual(existing.Tokens))
            {
                Remove(existing);
            }
        }

        while (SizeBytes + entry.SizeBytes > CapacityBytes && lru.Last is { } last)
        {
            Remove(last.Value);
        }

        entry.Node = lru.AddFirst(entry);
        Interlocked.Add(ref sizeBytes, entry.SizeBytes);
        return true;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        while (lru.First is { } first)
        {
            Remove(first.Value);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Clear();

    /// <summary>Reinterprets tokens as their ids.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>The ids.</returns>
    public static ReadOnlySpan<int> Ids(ReadOnlySpan<LLama.Native.LLamaToken> tokens) => MemoryMarshal.Cast<LLama.Native.LLamaToken, int>(tokens);

    private void Touch(PrefixCacheEntry entry)
    {
        if (entry.Node is { } node && node != lru.First)
        {
            lru.Remove(node);
            lru.AddFirst(node);
        }
    }

    private void Remove(PrefixCacheEntry entry)
    {
        if (entry.Node is { } node)
        {
            lru.Remove(node);
            entry.Node = null;
            Interlocked.Add(ref sizeBytes, -entry.SizeBytes);
            entry.State.Dispose();
        }
    }
}
