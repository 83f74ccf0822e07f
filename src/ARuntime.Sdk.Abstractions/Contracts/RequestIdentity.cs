namespace ARuntime.Sdk.Contracts;

/// <summary>Who a request runs for: the actor, the tenant, the submitting workload and the delegation chain.</summary>
public sealed record RequestIdentity
{
    /// <summary>Gets the tenant that owns the request and everything it produces. Every store is partitioned by it.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the principal on whose behalf the request runs.</summary>
    public required ActorIdentity Actor { get; init; }

    /// <summary>Gets the submitting workload, if the host names it.</summary>
    public WorkloadIdentity? Workload { get; init; }

    /// <summary>Gets the delegation chain, outermost delegator first; empty when the actor acts on its own authority.</summary>
    public IReadOnlyList<DelegationLink> DelegatedBy { get; init => field = value ?? []; } = [];

    /// <summary>Gets the session the request belongs to, if any (session-scoped memory is keyed by it).</summary>
    public string? SessionId { get; init; }
}
