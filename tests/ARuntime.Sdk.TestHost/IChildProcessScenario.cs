namespace ARuntime.Sdk.TestHost;

/// <summary>
/// One scenario the test host can run in a child process. Scenarios communicate with the parent test through their
/// arguments, stdout lines (for example <c>READY</c> once the parent may kill the process) and the exit code.
/// </summary>
public interface IChildProcessScenario
{
    /// <summary>Gets the scenario name (the first command-line argument).</summary>
    string Name { get; }

    /// <summary>Runs the scenario.</summary>
    /// <param name="args">The remaining command-line arguments.</param>
    /// <param name="cancellationToken">Cancelled on Ctrl+C / SIGTERM.</param>
    /// <returns>The process exit code.</returns>
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
