using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>An admitted job bound to a <see cref="KvSequence"/> (its KV cells) in the scheduler's context.</summary>
internal sealed class ActiveSequence
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="job">The job.</param>
    /// <param name="sequence">The KV sequence.</param>
    /// <param name="tokens">The tokens to prefill (prompt, plus generated tokens when resuming).</param>
    /// <param name="restored">The leading tokens restored from the prefix cache.</param>
    /// <param name="saveBoundary">The prefill position at which to save a prefix state (0 for none).</param>
    /// <param name="admissionOrder">A number increasing with admission (the youngest sequence is preempted first).</param>
    public ActiveSequence(InferenceJob job, KvSequence sequence, LLamaToken[] tokens, int restored, int saveBoundary, long admissionOrder)
    {
        Job = job;
        Kv = sequence;
        Tokens = tokens;
        Prefilled = restored;
        SaveBoundary = saveBoundary;
        AdmissionOrder = admissionOrder;
        GeneratedAtAdmission = job.Generated.Count;
    }

    /// <summary>Gets the job.</summary>
    public InferenceJob Job { get; }

    /// <summary>Gets the KV sequence.</summary>
    public KvSequence Kv { get; }

    /// <summary>Gets the tokens to prefill.</summary>
    public LLamaToken[] Tokens { get; }

    /// <summary>Gets or sets how many of <see cref="Tokens"/> are in the KV cache.</summary>
    public int Prefilled { get; set; }

    /// <summary>Gets the prefill position at which a prefix state is saved (0 for none).</summary>
    public int SaveBoundary { get; }

    /// <summary>Gets the admission order.</summary>
    public long AdmissionOrder { get; }

    /// <summary>Gets the number of generated tokens when admitted (they are part of <see cref="Tokens"/>).</summary>
    public int GeneratedAtAdmission { get; }

    /// <summary>Gets or sets how many tokens generated since admission have been prompted into the KV cache.</summary>
    public int PromptedGenerated { get; set; }

    /// <summary>Gets or sets the sampled token to prompt in the next step.</summary>
    public LLamaToken? PendingToken { get; set; }

    /// <summary>Gets or sets the prefill tokens queued in the current step (0 when it queued a decode token or nothing).</summary>
    public int QueuedChunk { get; set; }

    /// <summary>Gets or sets whether the sequence has tokens in the batch being built or retried.</summary>
    public bool Queued { get; set; }

    /// <summary>
    /// Gets or sets whether the job is already finished but its tokens are still in a queued batch (after an aborted
    /// decode): its KV sequence is disposed only after that batch is decoded, because disposing it earlier would leave its
    /// queued tokens to land in a reused sequence id.
    /// </summary>
    public bool Zombie { get; set; }

    /// <summary>Gets the prefill tokens still to decode.</summary>
    public int RemainingPrefill => Tokens.Length - Prefilled;
}
