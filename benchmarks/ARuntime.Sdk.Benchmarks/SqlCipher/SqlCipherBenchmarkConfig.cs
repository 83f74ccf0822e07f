using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ARuntime.Sdk.Benchmarks.SqlCipher;

/// <summary>
/// One job per SQLCipher benchmark class, run in process: the benchmarks measure I/O-bound work that runs for seconds
/// per invocation, where in-process hosting changes nothing measurable, and the generated out-of-process project does not
/// build within BenchmarkDotNet's timeout on a loaded 2-core machine.
/// </summary>
internal sealed class SqlCipherBenchmarkConfig : ManualConfig
{
    public SqlCipherBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5));
    }
}
