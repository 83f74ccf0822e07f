namespace ARuntime.Sdk.Contracts;

/// <summary>Whose memory a request reads and writes. Memory never crosses tenants.</summary>
public enum MemoryScopeKind
{
    /// <summary>The actor's own memory within the tenant.</summary>
    Actor = 0,

    /// <summary>The session's memory (requires <see cref="RequestIdentity.SessionId"/>).</summary>
    Session = 1,

    /// <summary>Memory shared by the whole tenant.</summary>
    Tenant = 2,
}
