using System.Text.Json;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>One pass of the tool loop: the model's proposal and what became of it.</summary>
internal sealed class TurnState
{
    public int Number { get; init; }

    public InferenceResult? Inference { get; set; }

    /// <summary>Gets or sets whether this pass was entered to run calls a human just approved (no new inference).</summary>
    public bool ResumedAfterApproval { get; set; }

    public List<PlannedCall> Calls { get; } = [];

    /// <summary>Gets or sets the proposed answer text, when the model answered instead of calling a tool.</summary>
    public string? ProposedAnswer { get; set; }

    public JsonElement? ProposedStructuredAnswer { get; set; }

    /// <summary>Gets or sets why the model's output could not be used (malformed, schema violation, invalid answer).</summary>
    public List<string> OutputErrors { get; } = [];
}
