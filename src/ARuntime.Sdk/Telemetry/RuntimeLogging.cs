using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// The runtime's logger source: the host's <see cref="ILoggerFactory"/> when it registered logging, otherwise a null logger,
/// so the runtime works in hosts without logging and never shadows a logging registration made later.
/// </summary>
internal sealed class RuntimeLogging(IServiceProvider services)
{
    private readonly ILoggerFactory factory = (ILoggerFactory?)services.GetService(typeof(ILoggerFactory)) ?? NullLoggerFactory.Instance;

    public ILogger<T> CreateLogger<T>() => new Logger<T>(factory);
}
