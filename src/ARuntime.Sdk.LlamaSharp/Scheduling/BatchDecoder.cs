using LLama;
using LLama.Abstractions;
using ARuntime.Sdk.LlamaSharp.Native;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// The scheduler's llama.cpp context: the batch being built for the next step, a pool of sequence ids, and a decode that
/// runs on the process-wide <see cref="DecodeThread"/>, never through LLamaSharp's <c>BatchedExecutor.Infer</c>, which
/// decodes on whichever thread-pool thread <c>Task.Run</c> picks (see <see cref="DecodeThread"/> for why that matters).
/// Not thread-safe: only the scheduler loop uses it.
/// </summary>
internal sealed class BatchDecoder : IDisposable
{
    private readonly SortedSet<int> freeIds;

    /// <summary>Initializes a new instance and creates the context.</summary>
    /// <param name="weights">The model weights.</param>
    /// <param name="parameters">The context parameters.</param>
    /// <param name="sequenceIds">The number of sequence ids to hand out (active sequences plus finished ones whose tokens
    /// wait in a batch to be retried).</param>
    public BatchDecoder(LLamaWeights weights, IContextParams parameters, int sequenceIds)
    {
        Context = weights.CreateContext(parameters);
        freeIds = [.. Enumerable.Range(0, sequenceIds)];
    }

    /// <summary>Gets the llama.cpp context.</summary>
    public LLamaContext Context { get; }

    /// <summary>Gets the number of tokens queued for the next decode.</summary>
    public int BatchedTokenCount => Batch.TokenCount;

    /// <summary>Gets the batch being built.</summary>
    internal LLamaBatch Batch { get; } = new();

    /// <summary>Starts an empty sequence.</summary>
    /// <returns>The sequence.</returns>
    /// <exception cref="InvalidOperationException">Every sequence id is in use (a scheduler defect).</exception>
    public KvSequence Create()
    {
        if (freeIds.Count == 0)
        {
            throw new InvalidOperationException("Every llama.cpp sequence id of the context is in use.");
        }

        var id = freeIds.Min;
        freeIds.Remove(id);
        return new KvSequence(this, (LLamaSeqId)id);
    }

    /// <summary>Starts a sequence from a saved state.</summary>
    /// <param name="state">The state.</param>
    /// <param name="tokenCount">The number of tokens the state holds.</param>
    /// <returns>The sequence.</returns>
    public KvSequence Load(LLamaContext.SequenceState state, int tokenCount)
    {
        var sequence = Create();
        try
        {
            sequence.Load(state, tokenCount);
            return sequence;
        }
        catch
        {
            sequence.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes the queued batch on the decode thread, blocking the caller. On success the batch is cleared; otherwise it is
    /// kept, so the same step can be retried (after an abort) or the context rebuilt.
    /// </summary>
    /// <returns>llama.cpp's result.</returns>
    public DecodeResult Decode()
    {
        var result = DecodeThread.Decode(Context.NativeHandle, Batch);
        if (result == DecodeResult.Ok)
        {
            Batch.Clear();
        }

        return result;
    }

    /// <summary>Frees a sequence's KV cells and its id.</summary>
    /// <param name="sequence">The sequence.</param>
    internal void Release(KvSequence sequence)
    {
        if (!Context.NativeHandle.IsClosed)
        {
            Context.NativeHandle.MemorySequenceRemove(sequence.Id, -1, -1);
        }

        freeIds.Add((int)sequence.Id);
    }

    /// <inheritdoc />
    public void Dispose() => Context.Dispose();
}
