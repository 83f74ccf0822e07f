using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Authority;

/// <summary>How the default authority resolver maps identities to permissions.</summary>
public sealed class AuthorityOptions
{
    /// <summary>
    /// Gets the permission classes each role grants. A role not listed here grants the permission class of the same name
    /// (so a host can use permission classes directly as roles); set <see cref="RolesArePermissions"/> to
    /// <see langword="false"/> to require every role to be mapped.
    /// </summary>
    public IDictionary<string, IList<string>> RolePermissions { get; } = new Dictionary<string, IList<string>>(StringComparer.Ordinal);

    /// <summary>Gets or sets whether an unmapped role grants the permission class of the same name.</summary>
    public bool RolesArePermissions { get; set; } = true;

    /// <summary>Gets the most consequential side effect each kind of actor may cause on its own authority.</summary>
    public IDictionary<ActorKind, SideEffectClass> MaxSideEffectByActorKind { get; } = new Dictionary<ActorKind, SideEffectClass>
    {
        [ActorKind.Human] = SideEffectClass.Irreversible,
        [ActorKind.Service] = SideEffectClass.Irreversible,
        [ActorKind.Agent] = SideEffectClass.ReversibleWrite,
    };

    /// <summary>Gets or sets the most sensitive data any request may handle.</summary>
    public Sensitivity MaxDataSensitivity { get; set; } = Sensitivity.Restricted;

    /// <summary>Gets or sets the maximum length of a delegation chain.</summary>
    public int MaxDelegationDepth { get; set; } = 4;
}
