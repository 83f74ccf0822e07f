using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>The in-process job of the memory search benchmark: millisecond operations, measured as usual.</summary>
internal sealed class SqlCipherSearchBenchmarkConfig : ManualConfig
{
    public SqlCipherSearchBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15));
    }
}
