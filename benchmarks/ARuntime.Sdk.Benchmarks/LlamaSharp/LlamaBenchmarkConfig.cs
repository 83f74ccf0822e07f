using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ARuntime.Sdk.Benchmarks.LlamaSharp;

/// <summary>
/// The llama.cpp benchmarks' job: in-process (the model stays loaded, no rebuild per benchmark), one invocation per
/// iteration (each operation is tens of milliseconds to seconds of real decoding), a few iterations; medians and ratios
/// against the baseline in the same run.
/// </summary>
public sealed class LlamaBenchmarkConfig : ManualConfig
{
    /// <summary>Initializes a new instance.</summary>
    public LlamaBenchmarkConfig()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("ARUNTIME_BENCH_ITERATIONS"), out var n) && n > 0 ? n : 5;
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
