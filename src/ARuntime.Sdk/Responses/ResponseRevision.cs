namespace ARuntime.Sdk.Responses;

/// <summary>What a <see cref="IResponseFinalizer"/> changes.</summary>
public sealed record ResponseRevision
{
    /// <summary>
    /// Gets the new answer, or <see langword="null"/> to keep it. For a request with an output contract this is the JSON text
    /// of the new structured answer, which must satisfy the contract.
    /// </summary>
    public string? Answer { get; init; }

    /// <summary>Gets qualifications to add to the result (what the caller should know about the answer).</summary>
    public IReadOnlyList<string> Qualifications { get; init => field = value ?? []; } = [];

    /// <summary>Gets a reason code for evidence (for example <c>pii.redacted</c>); no content.</summary>
    public string? ReasonCode { get; init; }
}
