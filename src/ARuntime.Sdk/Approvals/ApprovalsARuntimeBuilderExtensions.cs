using ARuntime.Sdk.Approvals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

#pragma warning disable IDE0130 // Builder extensions live in the builder's namespace: one `using ARuntime.Sdk;` brings every package's.
namespace ARuntime.Sdk;
#pragma warning restore IDE0130

/// <summary>Registers what happens when the expiry sweep ends a request; see docs/tools-and-policy.md.</summary>
public static class ApprovalsARuntimeBuilderExtensions
{
    /// <summary>Adds a handler told each time the expiry sweep ends a request (resolved from the container, once).</summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder AddApprovalExpiredHandler<THandler>(this ARuntimeBuilder builder)
        where THandler : class, IApprovalExpiredHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalExpiredHandler, THandler>());
        return builder;
    }

    /// <summary>Adds a delegate told each time the expiry sweep ends a request.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="handler">Receives the expired approval, the ended request's result and the sweep's cancellation token.</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder OnApprovalExpired(this ARuntimeBuilder builder, Func<ExpiredApproval, AgentResult, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        builder.Services.AddSingleton<IApprovalExpiredHandler>(new DelegateHandler(handler));
        return builder;
    }

    private sealed class DelegateHandler(Func<ExpiredApproval, AgentResult, CancellationToken, ValueTask> handler) : IApprovalExpiredHandler
    {
        public ValueTask OnExpiredAsync(ExpiredApproval approval, AgentResult result, CancellationToken cancellationToken) => handler(approval, result, cancellationToken);
    }
}
