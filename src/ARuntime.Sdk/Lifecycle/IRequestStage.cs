using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>
/// One lifecycle stage. Stages are fixed by the runtime and run in <see cref="LifecycleStage"/> order; hosts change what a
/// stage decides by replacing its policy service (for example <c>IAuthorityResolver</c> or <c>IPolicyEngine</c>), never the
/// order. A stage reads what earlier stages decided from the request context and reports its outcome; the pipeline writes
/// the stage's evidence record from it.
/// </summary>
internal interface IRequestStage
{
    LifecycleStage Stage { get; }

    ValueTask<StageResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken);
}
