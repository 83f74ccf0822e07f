using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Admission;

/// <summary>
/// A host-defined admission check (for example a per-tenant quota) that runs after the runtime's own checks. It can reject a
/// request but cannot skip the mandatory checks.
/// </summary>
public interface IAdmissionCheck
{
    /// <summary>Checks a request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="null"/> to admit, or the typed error to reject with.</returns>
    ValueTask<AgentError?> CheckAsync(RuntimeRequest request, CancellationToken cancellationToken = default);
}
