namespace ARuntime.Sdk.Contracts;

/// <summary>
/// One link in a delegation chain: <see cref="DelegatorId"/> delegated part of its authority to the next link (or to the actor).
/// Delegation can only narrow authority: the effective permissions are the actor's permissions intersected with every
/// link's <see cref="Scopes"/>.
/// </summary>
public sealed record DelegationLink
{
    /// <summary>Gets the identifier of the principal that delegated.</summary>
    public required string DelegatorId { get; init; }

    /// <summary>Gets the kind of the delegating principal.</summary>
    public ActorKind DelegatorKind { get; init; } = ActorKind.Human;

    /// <summary>Gets the permission classes the delegator passed on; an empty list passes on nothing.</summary>
    public IReadOnlyList<string> Scopes { get; init => field = value ?? []; } = [];

    /// <summary>Gets when the delegation stops being valid, if it expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
