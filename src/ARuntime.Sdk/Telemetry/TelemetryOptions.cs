namespace ARuntime.Sdk.Telemetry;

/// <summary>
/// Telemetry settings: what the runtime's spans may carry beyond the OpenTelemetry GenAI semantic conventions' defaults.
/// Every default is the minimizing one: no prompt, answer, tool argument or tool result text in any attribute, and the
/// tenant only as a hash. See docs/observability.md.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The environment variable the OpenTelemetry GenAI conventions define for opting in to content capture.</summary>
    public const string CaptureMessageContentEnvironmentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>
    /// Gets or sets whether spans carry content: system instructions, input and output messages, tool definitions, tool call
    /// arguments and results (the conventions' opt-in attributes). <see langword="null"/> (the default) defers to the
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> environment variable (<c>true</c> turns it on); an explicit
    /// value wins over the variable. Credentials resolved during the request are redacted from captured content even then.
    /// </summary>
    public bool? CaptureMessageContent { get; set; }

    /// <summary>
    /// Gets or sets the longest captured content attribute, in characters; longer values are cut there and end with an
    /// ellipsis (structured values are then no longer valid JSON). Only applies when content capture is on.
    /// </summary>
    public int MaxContentLength { get; set; } = 16 * 1024;

    /// <summary>Gets or sets how the tenant appears on request spans (<c>aruntime.tenant.hash</c>); hashed by default.</summary>
    public TenantTelemetryMode Tenant { get; set; } = TenantTelemetryMode.Hashed;

    /// <summary>
    /// Gets or sets a key for tenant hashes. With a key, the hash is HMAC-SHA-256 under it, so tenant ids cannot be confirmed
    /// by hashing guesses; without one it is plain SHA-256 (pseudonymous, not anonymous). At least 32 bytes when set.
    /// </summary>
    public ReadOnlyMemory<byte> TenantHashKey { get; set; }

    /// <summary>
    /// Gets or sets the <c>gen_ai.agent.id</c> attribute; <see langword="null"/> uses <see cref="ARuntimeOptions.AgentName"/>.
    /// </summary>
    public string? AgentId { get; set; }

    /// <summary>Gets or sets whether a span is emitted for every lifecycle stage (<c>aruntime.stage {stage}</c>). On by default.</summary>
    public bool StageSpans { get; set; } = true;
}
