using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Authority;

/// <summary>
/// Resolves authority from the actor's roles (mapped through <see cref="AuthorityOptions.RolePermissions"/>), narrowed by
/// every link of the delegation chain. A tool is offered to the model only when the request lists it and the actor holds its
/// permission class; the rest are withheld with a reason.
/// </summary>
public sealed class DefaultAuthorityResolver : IAuthorityResolver
{
    private readonly AuthorityOptions options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The runtime options.</param>
    public DefaultAuthorityResolver(IOptions<ARuntimeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value.Authority;
    }

    /// <inheritdoc />
    public ValueTask<AuthorityGrant> ResolveAsync(AuthorityContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = context.Request.Identity;
        var reasons = new List<string>();

        var permissions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in identity.Actor.Roles)
        {
            if (options.RolePermissions.TryGetValue(role, out var mapped))
            {
                permissions.UnionWith(mapped);
            }
            else if (options.RolesArePermissions)
            {
                permissions.Add(role);
            }
        }

        // Delegation only narrows: each delegator passes on a subset of what it was given.
        foreach (var link in identity.DelegatedBy)
        {
            if (link.ExpiresAt is { } expires && expires <= context.Now)
            {
                permissions.Clear();
                reasons.Add("delegation.expired:" + link.DelegatorId);
                break;
            }

            permissions.IntersectWith(link.Scopes);
        }

        if (identity.DelegatedBy.Count > options.MaxDelegationDepth)
        {
            permissions.Clear();
            reasons.Add("delegation.too_deep");
        }

        var maxSideEffect = options.MaxSideEffectByActorKind.TryGetValue(identity.Actor.Kind, out var max) ? max : SideEffectClass.Read;
        var allowed = new List<string>();
        var withheld = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tool in context.RequestedTools)
        {
            if (!permissions.Contains(tool.PermissionClass))
            {
                withheld[tool.Name] = "permission.missing:" + tool.PermissionClass;
            }
            else if (tool.SideEffect > maxSideEffect)
            {
                withheld[tool.Name] = "side_effect.exceeds_actor_authority";
            }
            else
            {
                allowed.Add(tool.Name);
            }
        }

        var sensitivity = options.MaxDataSensitivity;
        return ValueTask.FromResult(new AuthorityGrant
        {
            PermissionClasses = [.. permissions.Order(StringComparer.Ordinal)],
            AllowedTools = allowed,
            WithheldTools = withheld,
            MaxSideEffect = maxSideEffect,
            MaxDataSensitivity = sensitivity,
            DelegationDepth = identity.DelegatedBy.Count,
            ReasonCodes = reasons,
        });
    }
}
