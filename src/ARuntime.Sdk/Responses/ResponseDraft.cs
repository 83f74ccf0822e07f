using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Responses;

/// <summary>The answer a <see cref="IResponseFinalizer"/> reviews, with what it answers.</summary>
public sealed record ResponseDraft
{
    /// <summary>Gets the request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the request.</summary>
    public required RuntimeRequest Request { get; init; }

    /// <summary>Gets how the request ends (not <see cref="AgentRunStatus.PendingApproval"/>: a paused request is reviewed when it finishes).</summary>
    public required AgentRunStatus Status { get; init; }

    /// <summary>Gets the answer text as it stands (for a structured answer, its JSON text unless it is a JSON string).</summary>
    public required string Answer { get; init; }

    /// <summary>Gets the structured answer, when the request has an output contract.</summary>
    public JsonElement? StructuredAnswer { get; init; }

    /// <summary>Gets the classification of the data the answer was derived from.</summary>
    public required DataClassification Classification { get; init; }
}
