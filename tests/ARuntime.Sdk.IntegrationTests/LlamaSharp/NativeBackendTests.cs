using ARuntime.Sdk.IntegrationTests.Infrastructure;

namespace ARuntime.Sdk.IntegrationTests.LlamaSharp;

/// <summary>
/// A host without a loadable llama.cpp native library, for real: in a child process LLamaSharp is pointed at a library
/// that does not exist. Loading fails with a typed error that names the backend packages (every time, not only the
/// first), a request through the runtime fails cleanly, and the process survives.
/// </summary>
public sealed class NativeBackendTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Test]
    public async Task A_missing_native_backend_is_a_typed_error_naming_the_backend_packages_and_the_process_survives()
    {
        await using var child = ChildProcess.Start("llama-no-backend");
        var exitCode = await child.WaitForExitAsync(Patience);

        var loads = child.Output.Where(l => l.StartsWith("LOAD ", StringComparison.Ordinal)).ToList();
        var run = child.Output.Single(l => l.StartsWith("RUN ", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, string.Join(Environment.NewLine, child.Output));
            Assert.That(loads, Has.Count.EqualTo(2));
            Assert.That(loads, Has.All.StartsWith("LOAD NativeBackendUnavailableException "));
            Assert.That(loads, Has.All.Contains("LLamaSharp.Backend.Cpu").And.Contains("LLamaSharp.Backend.Cuda12"));
            Assert.That(run, Does.StartWith("RUN Failed ").And.Contain("ModelUnavailable"), "the runtime reports the engine as unavailable");
        });
    }
}
