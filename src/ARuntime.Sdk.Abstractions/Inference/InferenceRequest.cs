using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Inference;

/// <summary>One inference call: the conversation so far, the tools on offer, the required output form and the limits.</summary>
public sealed record InferenceRequest
{
    /// <summary>Gets the runtime request this call belongs to (for correlation and fair scheduling).</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the tenant (engines may schedule fairly across tenants).</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the conversation, oldest first.</summary>
    public required IReadOnlyList<AgentMessage> Messages { get; init; }

    /// <summary>Gets the tools on offer, for engines that render them into the prompt; see docs/prompting.md.</summary>
    public IReadOnlyList<ToolDescriptor> Tools { get; init => field = value ?? []; } = [];

    /// <summary>Gets the form the output must take.</summary>
    public InferenceResponseFormat ResponseFormat { get; init => field = value ?? InferenceResponseFormat.Text; } = InferenceResponseFormat.Text;

    /// <summary>Gets the sampling options.</summary>
    public SamplingOptions Sampling { get; init => field = value ?? SamplingOptions.Default; } = SamplingOptions.Default;

    /// <summary>Gets the maximum number of tokens to generate; <see langword="null"/> uses the engine's default.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets sequences that end generation when produced (not included in the output).</summary>
    public IReadOnlyList<string> StopSequences { get; init => field = value ?? []; } = [];

    /// <summary>Gets the absolute deadline; generation stops within one decode step after it with <see cref="StopReason.Deadline"/>.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Gets the trace context of the calling span.</summary>
    public TraceContext? Trace { get; init; }
}
