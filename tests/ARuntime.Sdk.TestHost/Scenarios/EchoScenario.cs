namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>Prints its arguments and READY, then exits 0: proves the host starts (used by the child-process helper's own test).</summary>
internal sealed class EchoScenario : IChildProcessScenario
{
    public string Name => "echo";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        Console.WriteLine(string.Join(' ', args));
        Console.WriteLine("READY");
        return Task.FromResult(0);
    }
}
