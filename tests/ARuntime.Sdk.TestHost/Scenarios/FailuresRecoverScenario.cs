using System.Text.Json;
using ARuntime.Sdk.Evidence;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>The restart after <see cref="FailuresCrashScenario"/>: see its summary.</summary>
internal sealed class FailuresRecoverScenario : IChildProcessScenario
{
    public string Name => "failures-recover";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var provider = FailuresCrashScenario.Build(args[0]);
        var runtime = provider.GetRequiredService<IAgentRuntime>();
        var status = await runtime.GetStatusAsync(FailuresCrashScenario.Tenant, args[1], cancellationToken);
        Console.WriteLine("STATUS " + JsonSerializer.Serialize(status, Serialization.ARuntimeJsonContext.Default.RequestStatus!));
        var reader = provider.GetRequiredService<IEvidenceReader>();
        await foreach (var record in reader.QueryAsync(new EvidenceQuery { TenantId = FailuresCrashScenario.Tenant, RequestId = args[1] }, cancellationToken))
        {
            Console.WriteLine("RECORD " + JsonSerializer.Serialize(record, Serialization.ARuntimeJsonContext.Default.EvidenceRecord));
        }

        // A client retrying under the same idempotency key gets the recorded interruption, not "in progress" forever,
        // and the transfer does not run again.
        var retry = await runtime.RunAsync(FailuresCrashScenario.Request, cancellationToken);
        Console.WriteLine($"RETRY {retry.Status} {retry.RequestId} {retry.Error?.Code}");
        Console.WriteLine("DONE");
        return 0;
    }
}
