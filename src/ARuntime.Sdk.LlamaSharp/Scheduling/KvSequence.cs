using LLama;
using LLama.Native;
using LLama.Sampling;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// One llama.cpp sequence in the scheduler's context: its sequence id, how many tokens (positions) its KV cells hold, and
/// where its logits are in the batch last decoded. Owned and used by the scheduler loop only.
/// </summary>
internal sealed class KvSequence : IDisposable
{
    private readonly BatchDecoder decoder;
    private int sampleIndex = -1;
    private bool disposed;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="decoder">The decoder whose context holds the sequence.</param>
    /// <param name="id">The sequence id, reserved for this instance until it is disposed.</param>
    public KvSequence(BatchDecoder decoder, LLamaSeqId id)
    {
        this.decoder = decoder;
        Id = id;
    }

    /// <summary>Gets the llama.cpp sequence id.</summary>
    public LLamaSeqId Id { get; }

    /// <summary>Gets the number of tokens in the sequence, decoded or queued (the next token's position).</summary>
    public int TokenCount { get; private set; }

    /// <summary>Queues tokens for the next decode; logits are computed for the last one only.</summary>
    /// <param name="tokens">The tokens (at least one).</param>
    public void Prompt(ReadOnlySpan<LLamaToken> tokens)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var batch = decoder.Batch;
        for (var i = 0; i < tokens.Length; i++)
        {
            var last = i == tokens.Length - 1;
            var index = batch.Add(tokens[i], TokenCount++, Id, last);
            if (last)
            {
                sampleIndex = index;
            }
        }
    }

    /// <summary>Queues one token for the next decode, with logits.</summary>
    /// <param name="token">The token.</param>
    public void Prompt(LLamaToken token)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        sampleIndex = decoder.Batch.Add(token, TokenCount, Id, true);
        TokenCount++;
    }

    /// <summary>Samples the next token from the logits of this sequence's last prompted token (after the decode).</summary>
    /// <param name="sampler">The request's sampling pipeline.</param>
    /// <returns>The token.</returns>
    public LLamaToken Sample(ISamplingPipeline sampler)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (sampleIndex < 0)
        {
            throw new InvalidOperationException("The sequence has no logits to sample: prompt it and decode first.");
        }

        return sampler.Sample(decoder.Context.NativeHandle, sampleIndex);
    }

    /// <summary>Copies the sequence's KV state into host memory (for the prefix cache).</summary>
    /// <returns>The state; the caller disposes it.</returns>
    public LLamaContext.SequenceState Save()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return decoder.Context.GetState(Id);
    }

    /// <summary>Loads a saved state into this (empty) sequence.</summary>
    /// <param name="state">The state.</param>
    /// <param name="tokenCount">The number of tokens the state holds.</param>
    /// <exception cref="InvalidOperationException">llama.cpp could not load the state (for example, the KV cache has
    /// fewer free cells than the state holds); the sequence stays empty.</exception>
    public unsafe void Load(LLamaContext.SequenceState state, int tokenCount)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (TokenCount != 0)
        {
            throw new InvalidOperationException("A saved state loads only into an empty sequence.");
        }

        // Not LLamaContext.LoadState: it discards llama.cpp's result, and a state that could not be placed (0 bytes read)
        // would leave a sequence that believes it holds the prefix and decodes without it.
        var read = decoder.Context.NativeHandle.SetState((byte*)state.DangerousGetHandle(), state.Size, Id);
        if (read == 0)
        {
            throw new InvalidOperationException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"llama.cpp could not load a saved state of {tokenCount} tokens into sequence {(int)Id} (not enough free KV cells)."));
        }

        TokenCount = tokenCount;
    }

    /// <summary>Removes the last <paramref name="count"/> tokens from the sequence's KV cells.</summary>
    /// <param name="count">The number of tokens, at most <see cref="TokenCount"/>.</param>
    public void Rewind(int count)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, TokenCount);
        decoder.Context.NativeHandle.MemorySequenceRemove(Id, TokenCount - count, -1);
        TokenCount -= count;
        sampleIndex = -1;
    }

    /// <summary>Frees the sequence's KV cells and returns its id to the pool.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        decoder.Release(this);
    }
}
