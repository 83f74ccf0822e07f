using ARuntime.Sdk.TestHost;

// Dispatches to the scenario named by the first argument; see IChildProcessScenario.
var scenarios = typeof(Program).Assembly.GetTypes()
    .Where(t => typeof(IChildProcessScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IChildProcessScenario)Activator.CreateInstance(t)!)
    .ToDictionary(s => s.Name, StringComparer.Ordinal);

if (args.Length == 0 || !scenarios.TryGetValue(args[0], out var scenario))
{
    Console.Error.WriteLine($"usage: ARuntime.Sdk.TestHost <scenario> [args]; scenarios: {string.Join(", ", scenarios.Keys.Order(StringComparer.Ordinal))}");
    return 64;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await scenario.RunAsync(args[1..], cts.Token);
