using ARuntime.Sdk.Authority;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Lifecycle.Stages;

/// <summary>Stage 2, authority resolution: determine allowed data, models, tools, side effects and delegation.</summary>
internal sealed class AuthorityResolutionStage : IRequestStage
{
    private readonly IAuthorityResolver resolver;
    private readonly IToolRegistry tools;
    private readonly TimeProvider timeProvider;

    public AuthorityResolutionStage(IAuthorityResolver resolver, IToolRegistry tools, TimeProvider timeProvider)
    {
        this.resolver = resolver;
        this.tools = tools;
        this.timeProvider = timeProvider;
    }

    public LifecycleStage Stage => LifecycleStage.AuthorityResolution;

    public async ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var requested = new List<ToolDescriptor>(context.Request.AllowedTools.Count);
        foreach (var name in context.Request.AllowedTools.Distinct(StringComparer.Ordinal))
        {
            if (tools.TryGetTool(name, out var tool))
            {
                requested.Add(tool.Descriptor);
            }
        }

        var grant = await resolver.ResolveAsync(
            new AuthorityContext { RequestId = context.RequestId, Request = context.Request, RequestedTools = requested, Now = timeProvider.GetUtcNow() },
            cancellationToken).ConfigureAwait(false);
        context.Authority = grant;

        // Only tools the grant allows are ever offered to the model.
        var offered = new List<ToolDescriptor>(grant.AllowedTools.Count);
        foreach (var descriptor in requested)
        {
            if (grant.AllowsTool(descriptor.Name))
            {
                offered.Add(descriptor);
            }
        }

        context.OfferedTools = offered;
        var result = new StageResult(StageOutcome.Completed, "tools=" + string.Join(',', grant.AllowedTools))
            .With("permissions", grant.PermissionClasses.Count)
            .With("delegation.depth", grant.DelegationDepth)
            .With("side_effect.max", grant.MaxSideEffect.ToString())
            .WithReasons(grant.ReasonCodes);
        foreach (var (tool, reason) in grant.WithheldTools)
        {
            result.WithReason("withheld:" + tool + ":" + reason);
        }

        return result;
    }
}
