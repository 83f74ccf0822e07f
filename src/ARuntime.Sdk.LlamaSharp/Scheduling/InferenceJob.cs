using System.Diagnostics;
using System.Threading.Channels;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.StructuredOutput;
using LLama;
using LLama.Native;
using LLama.Sampling;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// One inference request inside the scheduler: its prepared inputs (immutable), a stop request any thread may raise, and
/// generation state owned by the scheduler loop. The state survives preemption, so a paused sequence resumes exactly
/// where it stopped (same sampler, same random stream, same partial text).
/// </summary>
internal sealed class InferenceJob : IDisposable
{
    private readonly Channel<InferenceUpdate> updates = Channel.CreateUnbounded<InferenceUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });

    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(30);

    private int stopRequest;
    private int completed;
    private CancellationTokenRegistration cancellationRegistration;
    private ITimer? deadlineTimer;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="id">A process-unique number (admission order tie-breaker).</param>
    /// <param name="request">The request.</param>
    /// <param name="promptTokens">The prompt tokens.</param>
    /// <param name="systemPrefixLength">The number of leading prompt tokens that are the system section (0 when none).</param>
    /// <param name="maxOutputTokens">The output token limit.</param>
    /// <param name="stopSequences">The stop sequences to apply.</param>
    /// <param name="constraint">The output constraint, for JSON Schema requests.</param>
    /// <param name="submitted">The submission timestamp (<see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <param name="streaming">Whether text deltas are delivered (otherwise only the final result).</param>
    public InferenceJob(
        long id,
        InferenceRequest request,
        LLamaToken[] promptTokens,
        int systemPrefixLength,
        int maxOutputTokens,
        IReadOnlyList<string> stopSequences,
        OutputConstraint? constraint,
        long submitted,
        bool streaming)
    {
        Id = id;
        Request = request;
        PromptTokens = promptTokens;
        SystemPrefixLength = systemPrefixLength;
        MaxOutputTokens = maxOutputTokens;
        Constraint = constraint;
        SubmittedTimestamp = submitted;
        Streaming = streaming;
        TenantKey = request.TenantId ?? request.RequestId ?? string.Empty;
        Output = new StopSequenceBuffer(stopSequences);
        Json = constraint is null ? null : new JsonCompletionTracker();
    }

    /// <summary>Gets the process-unique number.</summary>
    public long Id { get; }

    /// <summary>Gets the request.</summary>
    public InferenceRequest Request { get; }

    /// <summary>Gets the fairness key (tenant, else request id).</summary>
    public string TenantKey { get; }

    /// <summary>Gets the prompt tokens.</summary>
    public LLamaToken[] PromptTokens { get; }

    /// <summary>Gets the length of the leading system section in tokens.</summary>
    public int SystemPrefixLength { get; }

    /// <summary>Gets the output token limit.</summary>
    public int MaxOutputTokens { get; }

    /// <summary>Gets the output constraint.</summary>
    public OutputConstraint? Constraint { get; }

    /// <summary>Gets the submission timestamp.</summary>
    public long SubmittedTimestamp { get; }

    /// <summary>Gets whether deltas are streamed.</summary>
    public bool Streaming { get; }

    /// <summary>Gets the deadline.</summary>
    public DateTimeOffset? Deadline => Request.Deadline;

    /// <summary>Gets the updates reader.</summary>
    public ChannelReader<InferenceUpdate> Updates => updates.Reader;

    /// <summary>Gets or sets the span of this inference.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Gets or sets whether the job's tokens are in the decode in flight (read by stop callbacks to decide on an abort).</summary>
    public bool InFlight
    {
        get => Volatile.Read(ref inFlight);
        set => Volatile.Write(ref inFlight, value);
    }

    private bool inFlight;

    /// <summary>Gets the stop requested by the caller or the deadline, if any.</summary>
    public StopReason? RequestedStop => Volatile.Read(ref stopRequest) is var r and > 0 ? (StopReason)(r - 1) : null;

    /// <summary>Gets whether the job has completed (result or failure delivered).</summary>
    public bool IsCompleted => Volatile.Read(ref completed) != 0;

    // ---- Generation state (scheduler loop only) ----

    /// <summary>Gets the generated tokens (end-of-generation excluded).</summary>
    public List<LLamaToken> Generated { get; } = [];

    /// <summary>Gets or sets the sampler (created at first admission, kept across preemption).</summary>
    public ISamplingPipeline? Sampler { get; set; }

    /// <summary>Gets or sets the incremental detokenizer (keeps partial UTF-8 sequences across tokens).</summary>
    public StreamingTokenDecoder? Decoder { get; set; }

    /// <summary>Gets the stop-sequence buffer holding the output text.</summary>
    public StopSequenceBuffer Output { get; }

    /// <summary>Gets the JSON completion tracker, for constrained output.</summary>
    public JsonCompletionTracker? Json { get; }

    /// <summary>Gets or sets the admission timestamp (first admission).</summary>
    public long? AdmittedTimestamp { get; set; }

    /// <summary>Gets or sets the first-token timestamp.</summary>
    public long? FirstTokenTimestamp { get; set; }

    /// <summary>Gets or sets the prompt tokens restored from the prefix cache (first admission).</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Gets or sets how often the job was paused to free KV cells or rebuilt after a decode failure.</summary>
    public int Resumptions { get; set; }

    /// <summary>Gets or sets how often a decode failed while the job was in it.</summary>
    public int DecodeFailures { get; set; }

    /// <summary>Gets the tokens to prefill: the prompt, plus everything generated so far when resuming.</summary>
    /// <returns>The tokens.</returns>
    public LLamaToken[] TokensToPrefill() => Generated.Count == 0 ? PromptTokens : [.. PromptTokens, .. Generated];

    /// <summary>Raises a stop request; the first one wins.</summary>
    /// <param name="reason">Cancelled or Deadline.</param>
    /// <returns>Whether this call raised it.</returns>
    public bool RequestStop(StopReason reason) => Interlocked.CompareExchange(ref stopRequest, (int)reason + 1, 0) == 0;

    /// <summary>Links the caller's token and the deadline timer to stop requests.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="onStop">Called (on any thread) after a stop request is raised.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public void Arm(TimeProvider timeProvider, Action<InferenceJob> onStop, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationRegistration = cancellationToken.Register(static state =>
            {
                var (job, callback) = ((InferenceJob, Action<InferenceJob>))state!;
                if (job.RequestStop(StopReason.Cancelled))
                {
                    callback(job);
                }
            }, (this, onStop));
        }

        // The timer only makes a deadline abort a decode in flight; every scheduler step also checks the deadline, so a
        // deadline beyond what a timer can hold (about 49 days) simply has none.
        if (Deadline is { } deadline && deadline - timeProvider.GetUtcNow() is var due && due <= MaxTimerDue)
        {
            deadlineTimer = timeProvider.CreateTimer(static state =>
            {
                var (job, callback) = ((InferenceJob, Action<InferenceJob>))state!;
                if (job.RequestStop(StopReason.Deadline))
                {
                    callback(job);
                }
            }, (this, onStop), due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Writes a text delta (streaming jobs only).</summary>
    /// <param name="text">The text.</param>
    public void WriteDelta(string text)
    {
        if (Streaming && text.Length > 0)
        {
            updates.Writer.TryWrite(new InferenceUpdate { Text = text });
        }
    }

    /// <summary>Delivers the final update and completes the stream.</summary>
    /// <param name="lastDelta">Text not yet delivered.</param>
    /// <param name="result">The result.</param>
    public void Complete(string lastDelta, InferenceResult result)
    {
        if (Interlocked.Exchange(ref completed, 1) != 0)
        {
            return;
        }

        updates.Writer.TryWrite(new InferenceUpdate { Text = Streaming ? lastDelta : string.Empty, Result = result });
        updates.Writer.TryComplete();
        Release();
    }

    /// <summary>Fails the stream with <paramref name="exception"/>.</summary>
    /// <param name="exception">The failure.</param>
    public void Fail(Exception exception)
    {
        if (Interlocked.Exchange(ref completed, 1) != 0)
        {
            return;
        }

        updates.Writer.TryComplete(exception);
        Release();
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private void Release()
    {
        cancellationRegistration.Dispose();
        deadlineTimer?.Dispose();
        (Sampler as IDisposable)?.Dispose();
        Sampler = null;
    }
}
