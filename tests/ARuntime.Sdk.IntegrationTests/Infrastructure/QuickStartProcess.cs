using System.Diagnostics;

namespace ARuntime.Sdk.IntegrationTests.Infrastructure;

/// <summary>Runs the QuickStart sample, as built by the solution build, in a child process.</summary>
public static class QuickStartProcess
{
    /// <summary>Gets QuickStart.dll as built beside this test assembly's configuration.</summary>
    public static string AssemblyPath
    {
        get
        {
            // tests/ARuntime.Sdk.IntegrationTests/bin/<Configuration>/net10.0/ -> samples/QuickStart/bin/<Configuration>/net10.0/
            var tfm = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = tfm.Parent!.Name;
            var root = tfm.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "samples", "QuickStart", "bin", configuration, tfm.Name, "QuickStart.dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The QuickStart is not built at {path}. Build the solution first.", path);
            }

            return path;
        }
    }

    /// <summary>Runs the QuickStart with <paramref name="args"/> in <paramref name="workingDirectory"/> and waits (at most two minutes) for it to exit.</summary>
    /// <param name="workingDirectory">The working directory.</param>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code and everything written to stdout and stderr.</returns>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string workingDirectory, params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        startInfo.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
