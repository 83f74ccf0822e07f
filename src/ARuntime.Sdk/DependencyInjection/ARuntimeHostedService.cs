using Microsoft.Extensions.Hosting;

namespace ARuntime.Sdk.DependencyInjection;

/// <summary>
/// In a generic host (ASP.NET Core, worker services), starts the runtime with the host rather than with its first request:
/// the options are validated, requests a stopped process left running are recorded as interrupted (freeing their
/// idempotency keys), and the approval expiry sweep's schedule begins. Hosts without a generic host get the same on first
/// use. Stopping is the container's disposal of the runtime.
/// </summary>
internal sealed class ARuntimeHostedService(AgentRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
