using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>A record required to be durable before the next step could not be persisted; the request fails closed.</summary>
internal sealed class EvidenceRequiredException : Exception
{
    public EvidenceRequiredException(LifecycleStage stage, Exception innerException)
        : base($"Evidence required at stage {stage} could not be persisted.", innerException)
    {
        Stage = stage;
    }

    public LifecycleStage Stage { get; }
}
