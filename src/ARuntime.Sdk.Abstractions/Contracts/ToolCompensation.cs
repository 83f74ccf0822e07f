namespace ARuntime.Sdk.Contracts;

/// <summary>Describes the compensation action that undoes a tool's effect (the saga step registered before the tool runs).</summary>
public sealed record ToolCompensation
{
    /// <summary>Gets a description of what compensation does.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the timeout of one compensation attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the maximum number of compensation attempts (compensation must itself be idempotent).</summary>
    public int MaxAttempts { get; init; } = 3;
}
