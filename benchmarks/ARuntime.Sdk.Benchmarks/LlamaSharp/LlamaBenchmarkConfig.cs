using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// The llama.cpp benchmarks' job: every benchmark in its own process, one invocation per iteration (each operation is tens
/// of milliseconds to seconds of real decoding), a few iterations; medians and ratios against the baseline in the same run.
/// </summary>
/// <remarks>
/// A process per benchmark, because llama.cpp's CPU backend shares OpenMP state process-wide: once code in a process has
/// decoded from more threads than there are cores (raw LLamaSharp executors decode on whichever thread-pool thread
/// <c>Task.Run</c> picks), every later decode in that process waits at its barriers in the kernel instead of spinning.
/// Measured in one process, a baseline would slow the SDK down by its mere presence; apart, each side runs as it would in
/// an application. Warm-ups default to 2 (<c>ARUNTIME_BENCH_WARMUPS</c>), iterations to 5 (<c>ARUNTIME_BENCH_ITERATIONS</c>).
/// </remarks>
public sealed class LlamaBenchmarkConfig : ManualConfig
{
    /// <summary>Initializes a new instance.</summary>
    public LlamaBenchmarkConfig()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("ARUNTIME_BENCH_ITERATIONS"), out var n) && n > 0 ? n : 5;
        var warmups = int.TryParse(Environment.GetEnvironmentVariable("ARUNTIME_BENCH_WARMUPS"), out var w) && w > 0 ? w : 2;
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
