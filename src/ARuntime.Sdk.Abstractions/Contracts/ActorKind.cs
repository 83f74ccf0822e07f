namespace ARuntime.Sdk.Contracts;

/// <summary>What kind of principal an actor is.</summary>
public enum ActorKind
{
    /// <summary>A person, authenticated by the host.</summary>
    Human = 0,

    /// <summary>A service account or daemon.</summary>
    Service = 1,

    /// <summary>Another agent or automated workload acting on its own authority.</summary>
    Agent = 2,
}
