using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Authority;

/// <summary>What a request may do: the result of authority resolution, consulted by every later decision.</summary>
public sealed record AuthorityGrant
{
    /// <summary>Gets the permission classes the actor holds (after delegation narrowed them).</summary>
    public IReadOnlyList<string> PermissionClasses { get; init => field = value ?? []; } = [];

    /// <summary>Gets the tools the model will be offered: listed by the request, registered, and within the actor's permissions.</summary>
    public IReadOnlyList<string> AllowedTools { get; init => field = value ?? []; } = [];

    /// <summary>Gets the tools the request listed but the actor may not use, with the reason code for each.</summary>
    public IReadOnlyDictionary<string, string> WithheldTools { get; init => field = value ?? EmptyWithheld; } = EmptyWithheld;

    /// <summary>Gets the most consequential side-effect class the request may cause.</summary>
    public SideEffectClass MaxSideEffect { get; init; } = SideEffectClass.Read;

    /// <summary>Gets the most sensitive data the request may read or send.</summary>
    public Sensitivity MaxDataSensitivity { get; init; } = Sensitivity.Internal;

    /// <summary>Gets the deployments the request may use; empty allows every registered deployment.</summary>
    public IReadOnlyList<string> AllowedDeployments { get; init; } = [];

    /// <summary>Gets the number of delegation links the authority passed through.</summary>
    public int DelegationDepth { get; init; }

    /// <summary>Gets reason codes explaining the grant (for evidence).</summary>
    public IReadOnlyList<string> ReasonCodes { get; init => field = value ?? []; } = [];

    /// <summary>Returns whether the grant includes <paramref name="permissionClass"/>.</summary>
    /// <param name="permissionClass">The permission class.</param>
    /// <returns><see langword="true"/> when granted.</returns>
    public bool HasPermission(string permissionClass) => PermissionClasses.Contains(permissionClass, StringComparer.Ordinal);

    /// <summary>Returns whether the model may be offered <paramref name="toolName"/>.</summary>
    /// <param name="toolName">The tool name.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public bool AllowsTool(string toolName) => AllowedTools.Contains(toolName, StringComparer.Ordinal);

    private static readonly IReadOnlyDictionary<string, string> EmptyWithheld = new Dictionary<string, string>(0);
}
