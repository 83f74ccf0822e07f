using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Memory;

/// <summary>Whose memory: a tenant, and within it an actor, a session, or the whole tenant. Stores never cross tenants.</summary>
public sealed record MemoryScope
{
    /// <summary>Gets the tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Gets the scope kind.</summary>
    public MemoryScopeKind Kind { get; init; } = MemoryScopeKind.Actor;

    /// <summary>Gets the owner within the tenant: the actor id or session id; <see langword="null"/> for tenant scope.</summary>
    public string? OwnerId { get; init; }

    /// <summary>Creates an actor scope.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="actorId">The actor.</param>
    /// <returns>The scope.</returns>
    public static MemoryScope ForActor(string tenantId, string actorId) => new() { TenantId = tenantId, Kind = MemoryScopeKind.Actor, OwnerId = actorId };

    /// <summary>Creates a tenant-wide scope.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <returns>The scope.</returns>
    public static MemoryScope ForTenant(string tenantId) => new() { TenantId = tenantId, Kind = MemoryScopeKind.Tenant };
}
