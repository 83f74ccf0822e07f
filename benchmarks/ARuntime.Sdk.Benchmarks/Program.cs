using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Benchmarks compare against a named baseline in the same run; see docs/performance.md for how to run them and the figures.
// The build timeout is generous because benchmark projects are rebuilt per job and this repository's machines are small.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
