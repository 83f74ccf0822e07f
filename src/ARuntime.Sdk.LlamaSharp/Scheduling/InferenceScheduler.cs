using System.Diagnostics;
using System.Globalization;
using System.Text;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.LlamaSharp.Loading;
using ARuntime.Sdk.LlamaSharp.Native;
using ARuntime.Sdk.LlamaSharp.PrefixCache;
using ARuntime.Sdk.LlamaSharp.Telemetry;
using LLama;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// Continuous batching over one llama.cpp context (<see cref="BatchDecoder"/>). A single loop on a dedicated thread owns
/// the context and repeats one step:
/// <list type="number">
/// <item>finish stopped sequences (cancellation, deadline) and drop stopped requests from the queue;</item>
/// <item>admit queued requests fairly while a sequence slot and KV cells are free (restoring a cached prefix when one matches);</item>
/// <item>plan one batch of at most <c>UBatchSize</c> tokens: one token for every decoding sequence, then prefill chunks;
/// when the KV cache cannot hold the step, pause the youngest sequence (it resumes later, exactly where it stopped);</item>
/// <item>decode (on the process-wide <see cref="DecodeThread"/>); on success, sample every sequence that needs it and stream its text.</item>
/// </list>
/// A cancellation or deadline during a decode raises the abort flag: llama.cpp stops mid-graph, the caller gets its result
/// at once, and the batch is retried (its finished sequences are disposed after the retry). Decode failures rebuild the
/// context and resume the affected sequences.
/// </summary>
internal sealed class InferenceScheduler : IAsyncDisposable
{
    private const int MaxDecodeFailuresPerJob = 2;

    private readonly LoadedModel model;
    private readonly LlamaSharpEngineOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly LlamaSharpTelemetry telemetry;
    private readonly PrefixStateCache? prefixCache;
    private readonly AdmissionQueue queue = new();
    private readonly List<ActiveSequence> active = [];
    private readonly WakeSignal wake = new();
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource shutdown = new();
    private readonly AbortFlag abort = new();
    private readonly int stepBudget;
    private readonly int contextSize;
    private readonly SchedulerFaults? faults;
    private readonly Lock submitGate = new();
    private BatchDecoder decoder;
    private Thread? loop;
    private bool retryPending;
    private int activeCount;
    private long admissions;
    private long jobIds;
    private long abortedDecodes;
    private long decodes;
    private long preemptions;
    private long rebuilds;
    private volatile bool disposed;
    private InferenceException? stoppedBy;

    /// <summary>Initializes a new instance and creates the context.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="time">The clock (deadlines, latencies).</param>
    /// <param name="telemetry">The instruments.</param>
    /// <param name="faults">Faults to inject (tests only).</param>
    public InferenceScheduler(LoadedModel model, LlamaSharpEngineOptions options, ILogger logger, TimeProvider time, LlamaSharpTelemetry telemetry, SchedulerFaults? faults = null)
    {
        this.faults = faults;
        this.model = model;
        this.options = options;
        this.logger = logger;
        this.time = time;
        this.telemetry = telemetry;
        contextSize = model.ContextSize;
        stepBudget = Math.Min(options.UBatchSize, options.BatchSize);
        prefixCache = options.PrefixCacheBytes > 0 ? new PrefixStateCache(options.PrefixCacheBytes, options.PrefixCacheMinTokens) : null;
        decoder = CreateDecoder();
    }

    /// <summary>Gets the number of waiting requests.</summary>
    public int QueueLength => queue.Count;

    /// <summary>Gets the number of active sequences.</summary>
    public int ActiveCount => Volatile.Read(ref activeCount);

    /// <summary>Gets the prefix cache, when enabled.</summary>
    public PrefixStateCache? PrefixCache => prefixCache;

    /// <summary>Gets the number of decodes run.</summary>
    public long Decodes => Interlocked.Read(ref decodes);

    /// <summary>Gets the number of decodes stopped mid-flight by the abort flag (and retried).</summary>
    public long AbortedDecodes => Interlocked.Read(ref abortedDecodes);

    /// <summary>Gets the number of sequences paused to free KV cells.</summary>
    public long Preemptions => Interlocked.Read(ref preemptions);

    /// <summary>Gets the number of context rebuilds after decode failures.</summary>
    public long Rebuilds => Interlocked.Read(ref rebuilds);

    /// <summary>Gets the context size in tokens.</summary>
    public int ContextSize => contextSize;

    /// <summary>Returns a new job id.</summary>
    /// <returns>The id.</returns>
    public long NextJobId() => Interlocked.Increment(ref jobIds);

    /// <summary>Starts the loop on its own thread.</summary>
    /// <remarks>
    /// The loop blocks while each decode runs on the process-wide <see cref="DecodeThread"/>: llama.cpp's OpenMP worker
    /// pool is per calling thread, and decodes issued from rotating thread-pool threads made every step about twice as slow
    /// on a 2-core machine.
    /// </remarks>
    public void Start()
    {
        loop = new Thread(Run)
        {
            IsBackground = true,
            Name = "ARuntime llama.cpp scheduler",
        };
        loop.Start();
    }

    /// <summary>Queues a job, or rejects it as overloaded.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="InferenceException">The queue is full (<see cref="InferenceFailureKind.Overloaded"/>), or the
    /// scheduler stopped after a failure it could not recover from (<see cref="InferenceFailureKind.ModelUnavailable"/>).</exception>
    /// <exception cref="ObjectDisposedException">The scheduler is disposed.</exception>
    public void Submit(InferenceJob job, CancellationToken cancellationToken)
    {
        bool enqueued;

        // The check and the enqueue are one step for the loop's stop and for DisposeAsync, which drain the queue after
        // changing the state under this lock: a job is either refused here or queued before that drain.
        lock (submitGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (stoppedBy is { } stop)
            {
                throw new InferenceException(stop.Kind, stop.Message, stop.InnerException);
            }

            job.Arm(time, OnStopRequested, cancellationToken);

            // Requests that a free slot will take at once do not count as waiting.
            var free = Math.Max(0, options.MaxSequences - ActiveCount);
            enqueued = queue.TryEnqueue(job, options.MaxQueueLength + free);
        }

        if (!enqueued)
        {
            job.Dispose();
            Observe(() =>
            {
                telemetry.Rejections.Add(1, telemetry.Deployment);
                Log.QueueFull(logger, queue.Count, job.Request.RequestId);
            });
            throw new InferenceException(
                InferenceFailureKind.Overloaded,
                string.Create(CultureInfo.InvariantCulture, $"The llama.cpp engine for model '{model.ModelId}' is overloaded: {queue.Count} requests are waiting (MaxQueueLength {options.MaxQueueLength}) and all {options.MaxSequences} sequences are busy."));
        }

        wake.Set();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Under Submit's lock: a Submit that passed its check has queued its job before this, so the drain below fails it.
        lock (submitGate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        await shutdown.CancelAsync().ConfigureAwait(false);
        abort.Raise();
        wake.Set();
        if (loop is not null)
        {
            await stopped.Task.ConfigureAwait(false);
        }

        var failure = new InferenceException(InferenceFailureKind.ModelUnavailable, $"The llama.cpp engine for model '{model.ModelId}' was disposed.");
        foreach (var sequence in active)
        {
            sequence.Job.Fail(failure);
        }

        active.Clear();
        foreach (var job in queue.RemoveWhere(_ => true))
        {
            job.Fail(failure);
        }

        decoder.Dispose();
        abort.Dispose();
        prefixCache?.Dispose();
        wake.Dispose();
        shutdown.Dispose();
    }

    /// <summary>Called after a job's stop request was raised (caller cancellation, deadline, abandoned stream).</summary>
    /// <param name="job">The job.</param>
    public void OnStopRequested(InferenceJob job)
    {
        // A stop for a sequence in the decode in flight aborts it; the batch is retried without waiting for it.
        if (job.InFlight)
        {
            abort.Raise();
        }

        wake.Set();
    }

    private BatchDecoder CreateDecoder()
    {
        BatchDecoder created;
        try
        {
            faults?.BeforeCreateContext?.Invoke();

            // Sequence ids for every active sequence, plus as many for finished ones whose tokens wait in an aborted batch.
            created = new BatchDecoder(model.Weights, model.Parameters, Math.Min(2 * options.MaxSequences, LlamaSharpEngineOptionsValidator.MaxSequencesLimit));
        }
        catch (Exception ex) when (ex is LLama.Exceptions.RuntimeError or InvalidOperationException)
        {
            throw new InferenceException(
                InferenceFailureKind.ModelUnavailable,
                string.Create(CultureInfo.InvariantCulture, $"llama.cpp could not create a context of {contextSize} tokens for {options.MaxSequences} sequences (model '{model.ModelId}'); lower ContextSize or MaxSequences."),
                ex);
        }

        abort.InstallOn(created.Context.NativeHandle);
        return created;
    }

    private void Run()
    {
        Exception? cause;
        try
        {
            cause = RunSteps();
        }
        catch (Exception ex)
        {
            cause = ex;
        }

        try
        {
            if (cause is not null)
            {
                StopAfterFailure(cause);
            }
        }
        catch (Exception ex)
        {
            // An exception escaping a dedicated thread would end the host process.
            Observe(() => Log.SchedulerFailed(logger, ex));
        }
        finally
        {
            stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Ends the loop for good after a failure it could not recover from: every active and queued job fails at once, and
    /// every later <see cref="Submit"/> throws, so no caller waits for a loop that no longer runs.
    /// </summary>
    /// <param name="cause">Why the loop stopped.</param>
    private void StopAfterFailure(Exception cause)
    {
        var message = $"The llama.cpp engine's scheduler for model '{model.ModelId}' stopped after a failure it could not recover from, and accepts no more requests: {cause.Message}";

        // Every job, now and later, finds the model unavailable on this engine: a kind the runtime does not retry on the
        // same deployment (each retry would fail at once) but falls back from along the route.
        var unavailable = new InferenceException(InferenceFailureKind.ModelUnavailable, message, cause);
        lock (submitGate)
        {
            stoppedBy = unavailable;
        }

        Observe(() => Log.SchedulerStopped(logger, model.ModelId, cause));

        // No job is queued after this drain: Submit checks stoppedBy under the same lock.
        FailActive(unavailable);
        foreach (var job in queue.RemoveWhere(_ => true))
        {
            FailJob(job, unavailable);
        }
    }

    /// <summary>Runs the steps until shutdown or a failure the loop cannot recover from.</summary>
    /// <returns>That failure, or <see langword="null"/> at shutdown.</returns>
    private Exception? RunSteps()
    {
        var token = shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                HandleStops();
                if (!retryPending)
                {
                    if (active.Count == 0)
                    {
                        GatherArrivals();
                    }

                    Admit();
                    Plan();
                }

                if (decoder.BatchedTokenCount == 0)
                {
                    if (active.Count > 0)
                    {
                        // Every active sequence always has a token to decode; reaching here is a scheduler defect.
                        FailActive(new InferenceException(InferenceFailureKind.EngineError, "The inference scheduler made no progress."));
                        Rebuild("no progress");
                        continue;
                    }

                    wake.Wait(token);
                    continue;
                }

                foreach (var sequence in active)
                {
                    sequence.Job.InFlight = sequence.Queued;
                }

                abort.Reset();

                // Stops go through the abort flag, which llama.cpp polls between graph nodes.
                var result = faults?.BeforeDecode?.Invoke() ?? decoder.Decode();
                Interlocked.Increment(ref decodes);
                foreach (var sequence in active)
                {
                    sequence.Job.InFlight = false;
                }

                switch (result)
                {
                    case DecodeResult.Ok:
                        retryPending = false;
                        AfterDecode();
                        break;
                    case DecodeResult.ComputeAborted when !disposed:
                        // The batch is kept; it is retried before anything new is queued.
                        retryPending = true;
                        Interlocked.Increment(ref abortedDecodes);
                        break;
                    case DecodeResult.ComputeAborted:
                        return null;
                    default:
                        Rebuild(result.ToString());
                        break;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex)
            {
                // A logger that throws here must not turn a recoverable failure into a stopped scheduler.
                Observe(() => Log.SchedulerFailed(logger, ex));
                FailActive(new InferenceException(InferenceFailureKind.EngineError, "The llama.cpp inference scheduler failed; see the inner exception.", ex));
                try
                {
                    Rebuild("scheduler failure");
                }
                catch (Exception rebuildFailure)
                {
                    return rebuildFailure;
                }
            }
        }

        return null;
    }

    private void HandleStops()
    {
        var now = time.GetUtcNow();
        foreach (var job in queue.RemoveWhere(j => j.RequestedStop is not null || j.Deadline <= now || j.IsCompleted))
        {
            if (!job.IsCompleted)
            {
                job.RequestStop(StopReason.Deadline);
                CompleteJob(job, job.RequestedStop ?? StopReason.Deadline, string.Empty);
            }
        }

        for (var i = active.Count - 1; i >= 0; i--)
        {
            var sequence = active[i];
            if (sequence.Zombie)
            {
                continue;
            }

            var job = sequence.Job;
            if (job.IsCompleted)
            {
                // Failed elsewhere (scheduler failure): release its sequence.
                if (retryPending && sequence.Queued)
                {
                    sequence.Zombie = true;
                }
                else
                {
                    RemoveSequence(sequence);
                }

                continue;
            }

            if (job.RequestedStop is null && job.Deadline <= now)
            {
                job.RequestStop(StopReason.Deadline);
            }

            if (job.RequestedStop is { } reason)
            {
                Finish(sequence, reason);
            }
        }
    }

    /// <summary>
    /// Before the first decode after idling, waits while requests keep arriving (each restarts
    /// <see cref="LlamaSharpEngineOptions.AdmissionGatherWindow"/>, at most 8 times), so that a burst is prefilled together.
    /// </summary>
    /// <remarks>
    /// A spin on the real clock (<see cref="Stopwatch"/>), not the injected <see cref="TimeProvider"/>: it is a wait of
    /// microseconds for other threads, and a fake clock that never advances would stall it.
    /// </remarks>
    private void GatherArrivals()
    {
        var window = options.AdmissionGatherWindow;
        var waiting = queue.Count;
        if (window <= TimeSpan.Zero || waiting == 0 || waiting >= options.MaxSequences)
        {
            return;
        }

        var windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        var until = Stopwatch.GetTimestamp() + windowTicks;
        var windows = 1;
        var spinner = default(SpinWait);
        while (Stopwatch.GetTimestamp() < until)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            var arrived = queue.Count;
            if (arrived >= options.MaxSequences)
            {
                return;
            }

            if (arrived > waiting)
            {
                waiting = arrived;
                if (++windows > 8)
                {
                    return;
                }

                until = Stopwatch.GetTimestamp() + windowTicks;
            }
        }
    }

    private void Admit()
    {
        while (active.Count < options.MaxSequences)
        {
            var projected = ProjectedCells();
            var alone = active.Count == 0;
            var job = queue.TryDequeue(
                j => alone || projected + j.PromptTokens.Length + j.Generated.Count + 1 <= contextSize,
                out _);
            if (job is null)
            {
                return;
            }

            if (job.IsCompleted)
            {
                continue;
            }

            var tokens = job.TokensToPrefill();
            if (tokens.Length + 1 > contextSize)
            {
                // Only a resumed job can get here (new prompts are checked at submission): its context is full.
                CompleteJob(job, StopReason.MaxTokens, job.Output.Flush());
                continue;
            }

            Start(job, tokens);
        }
    }

    private void Start(InferenceJob job, LLamaToken[] tokens)
    {
        KvSequence? kv = null;
        var restored = 0;
        if (prefixCache is not null && tokens.Length > prefixCache.MinTokens)
        {
            var match = prefixCache.Find(PrefixStateCache.Ids(tokens), tokens.Length - 1);
            if (match is { } m)
            {
                try
                {
                    kv = decoder.Load(m.Entry.State, m.Entry.Tokens.Length);
                    if (m.Entry.Tokens.Length > m.Length)
                    {
                        kv.Rewind(m.Entry.Tokens.Length - m.Length);
                    }

                    restored = m.Length;
                }
                catch (Exception ex) when (ex is InvalidOperationException or LLama.Exceptions.RuntimeError)
                {
                    kv?.Dispose();
                    kv = null;
                    restored = 0;
                }
            }

            // A hit is a prefix actually restored: a found entry that llama.cpp could not load is prefilled like a miss.
            var hit = restored > 0;
            prefixCache.CountLookup(hit);
            Observe(() => telemetry.PrefixCacheLookups.Add(1, telemetry.Deployment, new KeyValuePair<string, object?>("hit", hit)));
        }

        kv ??= decoder.Create();
        if (job.AdmittedTimestamp is null)
        {
            job.AdmittedTimestamp = time.GetTimestamp();
            job.CachedPromptTokens = Math.Min(restored, job.PromptTokens.Length);
            job.Sampler = SamplerFactory.Create(job.Request.Sampling, job.Constraint?.Grammar);
            job.Decoder = new StreamingTokenDecoder(Encoding.UTF8, model.Weights);
            job.Activity?.AddEvent(new ActivityEvent("admitted"));
        }

        var boundary = job.SystemPrefixLength;
        var saveBoundary = prefixCache is not null
                           && boundary >= prefixCache.MinTokens
                           && boundary > restored
                           && boundary < tokens.Length
                           && !prefixCache.Covers(PrefixStateCache.Ids(tokens.AsSpan(0, boundary)))
            ? boundary
            : 0;

        active.Add(new ActiveSequence(job, kv, tokens, restored, saveBoundary, ++admissions));
        Volatile.Write(ref activeCount, active.Count);
    }

    private int ProjectedCells()
    {
        var cells = 0;
        foreach (var sequence in active)
        {
            cells += sequence.Kv.TokenCount + sequence.RemainingPrefill + (sequence.PendingToken is null ? 0 : 1);
        }

        return cells;
    }

    private void Plan()
    {
        while (true)
        {
            var used = 0;
            var decoding = 0;
            foreach (var sequence in active)
            {
                used += sequence.Kv.TokenCount;
                decoding += sequence.PendingToken is null ? 0 : 1;
            }

            if (used + decoding <= contextSize)
            {
                QueueStep(contextSize - used - decoding);
                return;
            }

            // The KV cache cannot hold this step: pause the youngest sequence (or end a lone one at the context limit).
            var victim = active.MaxBy(s => s.AdmissionOrder)!;
            if (active.Count == 1)
            {
                Finish(victim, StopReason.MaxTokens);
                continue;
            }

            Preempt(victim, used + decoding - contextSize);
        }
    }

    private void QueueStep(int freeCells)
    {
        var budget = stepBudget;
        foreach (var sequence in active)
        {
            sequence.QueuedChunk = 0;
            sequence.Queued = false;
            if (sequence.PendingToken is { } next)
            {
                sequence.Kv.Prompt(next);
                sequence.PendingToken = null;
                sequence.PromptedGenerated++;
                sequence.Queued = true;
                budget--;
            }
        }

        foreach (var sequence in active.OrderBy(s => s.AdmissionOrder))
        {
            if (sequence.Queued || sequence.RemainingPrefill == 0 || budget == 0 || freeCells == 0)
            {
                continue;
            }

            var chunk = Math.Min(Math.Min(sequence.RemainingPrefill, budget), freeCells);
            if (sequence.SaveBoundary > sequence.Prefilled)
            {
                // Stop at the system-section boundary so its state can be saved exactly there.
                chunk = Math.Min(chunk, sequence.SaveBoundary - sequence.Prefilled);
            }

            sequence.Kv.Prompt(sequence.Tokens.AsSpan(sequence.Prefilled, chunk));
            sequence.QueuedChunk = chunk;
            sequence.Queued = true;
            budget -= chunk;
            freeCells -= chunk;
        }
    }

    private void Preempt(ActiveSequence sequence, int shortBy)
    {
        var job = sequence.Job;
        Observe(() =>
        {
            Log.Preempted(logger, shortBy, job.Request.RequestId);
            telemetry.Preemptions.Add(1, telemetry.Deployment);
        });
        Interlocked.Increment(ref preemptions);
        RemoveSequence(sequence);
        job.Resumptions++;
        queue.EnqueueResumed(job);
    }

    private void AfterDecode()
    {
        foreach (var sequence in active.ToList())
        {
            if (sequence.Zombie)
            {
                RemoveSequence(sequence);
                continue;
            }

            if (!sequence.Queued)
            {
                continue;
            }

            sequence.Queued = false;
            if (sequence.QueuedChunk > 0)
            {
                sequence.Prefilled += sequence.QueuedChunk;
                sequence.QueuedChunk = 0;
                if (sequence.SaveBoundary > 0 && sequence.Prefilled == sequence.SaveBoundary)
                {
                    SavePrefix(sequence, sequence.SaveBoundary);
                }

                if (sequence.RemainingPrefill > 0)
                {
                    continue;
                }
            }

            Sample(sequence);
        }
    }

    private void SavePrefix(ActiveSequence sequence, int length)
    {
        var state = sequence.Kv.Save();
        prefixCache!.Add(PrefixStateCache.Ids(sequence.Tokens.AsSpan(0, length)).ToArray(), state);
    }

    private void Sample(ActiveSequence sequence)
    {
        var job = sequence.Job;
        var token = sequence.Kv.Sample(job.Sampler!);
        if (job.FirstTokenTimestamp is null)
        {
            job.FirstTokenTimestamp = time.GetTimestamp();
            job.Activity?.AddEvent(new ActivityEvent("first_token"));
        }

        if (token.IsEndOfGeneration(model.Weights.Vocab))
        {
            // Under a grammar, end-of-generation is only allowed once the grammar is complete.
            Finish(sequence, job.Constraint is null ? StopReason.EndOfSequence : StopReason.SchemaComplete);
            return;
        }

        job.Generated.Add(token);
        job.Decoder!.Add(token);
        var piece = job.Decoder.Read();
        job.WriteDelta(job.Output.Push(piece));
        job.Json?.Feed(piece);

        if (job.Output.Stopped)
        {
            Finish(sequence, StopReason.StopSequence);
        }
        else if (job.Json?.IsComplete == true)
        {
            Finish(sequence, StopReason.SchemaComplete);
        }
        else if (job.Generated.Count >= job.MaxOutputTokens || sequence.Kv.TokenCount + 1 > contextSize)
        {
            // The context window is the hardest output limit; reaching it ends the output like MaxOutputTokens.
            Finish(sequence, StopReason.MaxTokens);
        }
        else
        {
            sequence.PendingToken = token;
        }
    }

    private void Finish(ActiveSequence sequence, StopReason reason)
    {
        var job = sequence.Job;
        var tail = job.Output.Flush();
        var zombie = retryPending && sequence.Queued;
        if (!zombie)
        {
            // A caller may read the statistics the moment it has its result: its sequence no longer counts as active.
            Volatile.Write(ref activeCount, active.Count - 1);
        }

        // The caller gets its result first; saving the finished sequence for the prefix cache happens after.
        CompleteJob(job, reason, tail);
        if (reason is not (StopReason.Cancelled or StopReason.Deadline) && !sequence.Queued)
        {
            CacheFinishedSequence(sequence);
        }

        if (zombie)
        {
            sequence.Zombie = true;
        }
        else
        {
            RemoveSequence(sequence);
        }
    }

    private void CacheFinishedSequence(ActiveSequence sequence)
    {
        if (prefixCache is null)
        {
            return;
        }

        var job = sequence.Job;
        var tokenCount = sequence.Kv.TokenCount;
        var expected = sequence.Tokens.Length + sequence.PromptedGenerated;
        if (sequence.RemainingPrefill > 0 || tokenCount != expected || tokenCount < prefixCache.MinTokens + 1)
        {
            return;
        }

        // Saving copies the sequence's KV cells; skip sequences too large to be worth a quarter of the cache.
        if (prefixCache.BytesPerToken * tokenCount > prefixCache.CapacityBytes / 4.0)
        {
            return;
        }

        var ids = new int[tokenCount];
        PrefixStateCache.Ids(sequence.Tokens).CopyTo(ids);
        PrefixStateCache.Ids(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(job.Generated)
            .Slice(sequence.GeneratedAtAdmission, sequence.PromptedGenerated)).CopyTo(ids.AsSpan(sequence.Tokens.Length));
        if (!prefixCache.Covers(ids))
        {
            prefixCache.Add(ids, sequence.Kv.Save());
        }
    }

    private void RemoveSequence(ActiveSequence sequence)
    {
        sequence.Kv.Dispose();
        active.Remove(sequence);
        Volatile.Write(ref activeCount, active.Count);
    }

    private void CompleteJob(InferenceJob job, StopReason reason, string lastDelta)
    {
        var text = job.Output.Emitted;
        if (job.Constraint is { } constraint)
        {
            var error = constraint.Validate(text);
            if (error is not null)
            {
                if (reason == StopReason.SchemaComplete)
                {
                    Observe(() => Log.GrammarOutputInvalid(logger, job.Request.RequestId, error));
                    reason = StopReason.Error;
                }
                else
                {
                    Observe(() => Log.SchemaOutputIncomplete(logger, job.Request.RequestId, reason));
                }
            }
        }

        var now = time.GetTimestamp();
        var duration = time.GetElapsedTime(job.SubmittedTimestamp, now);
        var usage = new InferenceUsage
        {
            PromptTokens = job.PromptTokens.Length,
            CachedPromptTokens = job.CachedPromptTokens,
            GeneratedTokens = job.Generated.Count,
            QueueWait = job.AdmittedTimestamp is { } admitted ? time.GetElapsedTime(job.SubmittedTimestamp, admitted) : duration,
            TimeToFirstToken = job.FirstTokenTimestamp is { } first ? time.GetElapsedTime(job.SubmittedTimestamp, first) : TimeSpan.Zero,
            Duration = duration,
        };

        var result = new InferenceResult
        {
            Text = text,
            StopReason = reason,
            Usage = usage,
            ModelId = model.ModelId,
            ModelVersion = model.ModelVersion,
            EngineVersion = $"{EngineVersion.EngineName} ({EngineVersion.Full})",
        };

        Observe(() => Record(job, result));
        job.Complete(lastDelta, result);
    }

    private void Record(InferenceJob job, InferenceResult result)
    {
        var tags = new TagList { telemetry.Deployment, { "stop_reason", result.StopReason.ToString() } };
        var usage = result.Usage;
        telemetry.PromptTokens.Add(usage.PromptTokens, tags);
        telemetry.CachedPromptTokens.Add(usage.CachedPromptTokens, tags);
        telemetry.GeneratedTokens.Add(usage.GeneratedTokens, tags);
        telemetry.QueueWait.Record(usage.QueueWait.TotalSeconds, tags);
        if (job.FirstTokenTimestamp is not null)
        {
            telemetry.TimeToFirstToken.Record(usage.TimeToFirstToken.TotalSeconds, tags);
        }

        if (usage.DecodeTokensPerSecond > 0)
        {
            telemetry.DecodeRate.Record(usage.DecodeTokensPerSecond, tags);
        }

        if (job.Activity is { } activity)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage.GeneratedTokens);
            activity.SetTag("aruntime.llama.cached_prompt_tokens", usage.CachedPromptTokens);
            activity.SetTag("aruntime.llama.stop_reason", result.StopReason.ToString());
            activity.SetTag("aruntime.llama.resumptions", job.Resumptions);
            if (result.StopReason == StopReason.Error)
            {
                activity.SetStatus(ActivityStatusCode.Error, "constrained output failed validation");
            }

            activity.Dispose();
        }
    }

    private void FailActive(InferenceException failure)
    {
        foreach (var sequence in active.ToList())
        {
            if (!sequence.Job.IsCompleted)
            {
                FailJob(sequence.Job, failure);
            }
        }
    }

    private void FailJob(InferenceJob job, InferenceException failure)
    {
        job.Fail(failure);
        Observe(() =>
        {
            job.Activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
            job.Activity?.Dispose();
        });
    }

    /// <summary>
    /// Records metrics, ends spans and logs for one request. A host's metrics or activity listener (or logger) that throws
    /// must not fail the request, lose one already taken off the queue, or reach the loop's failure handling, which fails
    /// every active request and rebuilds the context.
    /// </summary>
    /// <param name="observe">The telemetry to record.</param>
    private void Observe(Action observe)
    {
        try
        {
            observe();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            try
            {
                Log.TelemetryFailed(logger, ex);
            }
            catch (Exception)
            {
                // The logger is what throws: there is nowhere left to report it.
            }
        }
    }

    private void Rebuild(string reason)
    {
        var resumable = active.Where(s => !s.Zombie && !s.Job.IsCompleted).Select(s => s.Job).ToList();
        Observe(() => Log.DecodeFailedRebuilding(logger, reason, resumable.Count));
        Interlocked.Increment(ref rebuilds);

        // Disposing the decoder frees the context and every sequence in it (the queued batch included).
        active.Clear();
        Volatile.Write(ref activeCount, 0);
        retryPending = false;
        decoder.Dispose();

        // Queued before the new context exists: should creating it fail, the loop's stop fails them from the queue.
        foreach (var job in resumable)
        {
            if (++job.DecodeFailures > MaxDecodeFailuresPerJob)
            {
                FailJob(job, new InferenceException(
                    InferenceFailureKind.EngineError,
                    $"llama.cpp failed to decode this request's batch repeatedly ({reason})."));
                continue;
            }

            job.Resumptions++;
            queue.EnqueueResumed(job);
        }

        decoder = CreateDecoder();
    }
}
