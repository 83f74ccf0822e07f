namespace ARuntime.Sdk.Tools;

/// <summary>Whether a compensation undid its call's effect.</summary>
public sealed record CompensationResult
{
    /// <summary>Gets whether the effect was undone.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Gets a description of what was done or why it could not be.</summary>
    public string? Detail { get; init; }

    /// <summary>A successful compensation.</summary>
    public static CompensationResult Done { get; } = new() { Succeeded = true };
}
