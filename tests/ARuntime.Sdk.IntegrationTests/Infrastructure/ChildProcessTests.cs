namespace ARuntime.Sdk.IntegrationTests.Infrastructure;

public sealed class ChildProcessTests
{
    [Test]
    public async Task The_test_host_runs_a_scenario_in_a_child_process()
    {
        await using var child = ChildProcess.Start("echo", "hello", "world");

        var line = await child.WaitForLineAsync(l => l == "READY", TimeSpan.FromMinutes(1));
        var exitCode = await child.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(line, Is.EqualTo("READY"));
            Assert.That(child.Output, Does.Contain("hello world"));
            Assert.That(exitCode, Is.Zero);
        });
    }
}
