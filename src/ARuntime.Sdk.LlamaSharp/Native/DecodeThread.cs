using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Native;

/// <summary>
/// The one thread on which every engine in the process runs its llama.cpp decodes.
/// </summary>
/// <remarks>
/// llama.cpp's CPU backend (as LLamaSharp ships it) runs each decode as an OpenMP parallel region, and GNU OpenMP keeps a
/// pool of worker threads per calling thread. Once the process holds more OpenMP threads than it has cores, every barrier
/// (one per graph node) sleeps in the kernel instead of spinning, for every decode in the process. Measured on a 2-core
/// machine: an 8-token step took 13.7 ms from rotating thread-pool threads and 6.2 ms from one thread; a second engine
/// decoding from a thread of its own was enough to slow both. LLamaSharp serializes all decodes in the process anyway (a
/// global lock around <c>llama_decode</c>), so one shared thread costs no parallelism, only a hand-off per step.
/// </remarks>
internal static class DecodeThread
{
    private static readonly BlockingCollection<DecodeWork> Queue = [];

    // Started by the type's static initialization, before the first work item is queued.
    private static readonly Thread Worker = Start();

    /// <summary>Decodes <paramref name="batch"/> on the decode thread and waits for the result.</summary>
    /// <param name="context">The context.</param>
    /// <param name="batch">The batch (not touched by the caller until this returns).</param>
    /// <returns>llama.cpp's result.</returns>
    public static DecodeResult Decode(SafeLLamaContextHandle context, LLamaBatch batch)
    {
        using var work = new DecodeWork(context, batch);
        Queue.Add(work);
        work.Done.Wait();
        work.Failure?.Throw();
        return work.Result;
    }

    private static Thread Start()
    {
        var thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "ARuntime llama.cpp decode",
        };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        foreach (var work in Queue.GetConsumingEnumerable())
        {
            try
            {
                work.Result = work.Context.Decode(work.Batch);
            }
            catch (Exception ex)
            {
                work.Failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                work.Done.Set();
            }
        }
    }

    private sealed class DecodeWork(SafeLLamaContextHandle context, LLamaBatch batch) : IDisposable
    {
        public SafeLLamaContextHandle Context { get; } = context;

        public LLamaBatch Batch { get; } = batch;

        public ManualResetEventSlim Done { get; } = new(false, spinCount: 0);

        public DecodeResult Result { get; set; }

        public ExceptionDispatchInfo? Failure { get; set; }

        public void Dispose() => Done.Dispose();
    }
}
