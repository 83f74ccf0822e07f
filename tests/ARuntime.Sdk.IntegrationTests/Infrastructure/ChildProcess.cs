using System.Diagnostics;

namespace ARuntime.Sdk.IntegrationTests.Infrastructure;

/// <summary>
/// A real child process running an ARuntime.Sdk.TestHost scenario. Tests wait for a line it prints (no sleeps), then let it
/// exit or kill it (SIGKILL) to simulate a crash.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];
    private readonly List<string> errors = [];
    private readonly object gate = new();
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Signal)> waiters = [];

    private ChildProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>Gets the lines the process printed to stdout so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (gate)
            {
                return [.. output];
            }
        }
    }

    /// <summary>Gets the lines the process printed to stderr so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (gate)
            {
                return [.. errors];
            }
        }
    }

    /// <summary>Gets the process id.</summary>
    public int Id => process.Id;

    /// <summary>Starts a scenario of the test host.</summary>
    /// <param name="scenario">The scenario name.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The running process.</returns>
    public static ChildProcess Start(string scenario, params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(TestHostPath);
        startInfo.ArgumentList.Add(scenario);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Gets the path of ARuntime.Sdk.TestHost.dll built beside this test assembly's configuration.</summary>
    public static string TestHostPath
    {
        get
        {
            var baseDir = AppContext.BaseDirectory;

            // tests/ARuntime.Sdk.IntegrationTests/bin/<Configuration>/net10.0/ -> tests/ARuntime.Sdk.TestHost/bin/<Configuration>/net10.0/
            var tfmDir = new DirectoryInfo(baseDir);
            var configuration = tfmDir.Parent!.Name;
            var testsDir = tfmDir.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(testsDir, "ARuntime.Sdk.TestHost", "bin", configuration, tfmDir.Name, "ARuntime.Sdk.TestHost.dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The test host is not built at {path}. Build the solution first.", path);
            }

            return path;
        }
    }

    /// <summary>Waits until the process prints a line matching <paramref name="predicate"/>, or fails if it exits first.</summary>
    /// <param name="predicate">The line to wait for.</param>
    /// <param name="timeout">A safety timeout (a hung child fails the test instead of hanging the run).</param>
    /// <returns>The matching line.</returns>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        TaskCompletionSource<string> signal;
        lock (gate)
        {
            var existing = output.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return existing;
            }

            signal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((predicate, signal));
        }

        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(signal.Task, exited, Task.Delay(timeout)).ConfigureAwait(false);
        if (finished == signal.Task)
        {
            return await signal.Task.ConfigureAwait(false);
        }

        // The process may print the line and exit at once; the line wins.
        if (signal.Task.IsCompleted)
        {
            return await signal.Task.ConfigureAwait(false);
        }

        throw new InvalidOperationException(
            finished == exited
                ? $"The child process exited ({process.ExitCode}) before printing the expected line. stderr: {string.Join('\n', Errors)}"
                : $"The child process did not print the expected line within {timeout}. stdout: {string.Join('\n', Output)}");
    }

    /// <summary>Kills the process at once (SIGKILL on Unix), as a crash would end it.</summary>
    /// <returns>A task that completes when the process is gone.</returns>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    /// <param name="timeout">A safety timeout.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);

        // WaitForExit() without a timeout flushes the redirected output.
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        process.Dispose();
    }

    private void OnLine(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            if (isError)
            {
                errors.Add(line);
                return;
            }

            output.Add(line);
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (waiters[i].Predicate(line))
                {
                    waiters[i].Signal.TrySetResult(line);
                    waiters.RemoveAt(i);
                }
            }
        }
    }
}
