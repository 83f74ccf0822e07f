namespace ARuntime.Sdk.Contracts;

/// <summary>The application or agent workload that submits the request (the "which program" part of identity).</summary>
public sealed record WorkloadIdentity
{
    /// <summary>Gets the workload identifier, for example the agent or application name.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the application release that submitted the request, recorded in every evidence record's version set.</summary>
    public string? Release { get; init; }
}
