namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The principal on whose behalf a request runs, as authenticated by the host. The runtime never infers identity or
/// authority from model text: it comes only from here.
/// </summary>
public sealed record ActorIdentity
{
    /// <summary>Gets the stable identifier of the actor within its tenant.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the kind of principal.</summary>
    public ActorKind Kind { get; init; } = ActorKind.Human;

    /// <summary>Gets the roles the host granted to the actor; the authority resolver maps them to permission classes.</summary>
    public IReadOnlyList<string> Roles { get; init => field = value ?? []; } = [];

    /// <summary>Gets an optional display name (never used for authorization).</summary>
    public string? DisplayName { get; init; }
}
