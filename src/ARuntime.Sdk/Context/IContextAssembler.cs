namespace ARuntime.Sdk.Context;

/// <summary>
/// The context-assembly stage's policy: asks the requested sources (and memory) and selects items under provenance,
/// freshness, scope, tenant, classification and token budget. It never fabricates: what could not be retrieved is reported
/// as unavailable.
/// </summary>
public interface IContextAssembler
{
    /// <summary>Assembles context for a request.</summary>
    /// <param name="request">What to assemble.</param>
    /// <param name="cancellationToken">Cancels assembly.</param>
    /// <returns>The selected items and what was unavailable.</returns>
    ValueTask<AssembledContext> AssembleAsync(ContextAssemblyRequest request, CancellationToken cancellationToken = default);
}
