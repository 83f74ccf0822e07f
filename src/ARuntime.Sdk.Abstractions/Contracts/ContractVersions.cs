namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The versions of the ARuntime contracts (runtime request, model route, tool, policy decision, evidence record, trace)
/// that this build understands. Every contract carries its version so that a reader can refuse what it cannot interpret
/// instead of guessing.
/// </summary>
/// <remarks>
/// Versions are <c>major.minor</c>. A reader accepts any minor version of a major version it supports (minor versions
/// only add optional members); an unknown major version is rejected at admission with
/// <see cref="AgentErrorCodes.UnsupportedContractVersion"/>.
/// </remarks>
public static class ContractVersions
{
    /// <summary>The contract version this build writes.</summary>
    public const string Current = "1.0";

    /// <summary>The major contract versions this build reads.</summary>
    public static IReadOnlyList<int> SupportedMajorVersions { get; } = [1];

    /// <summary>Returns whether <paramref name="version"/> is a well-formed version this build can read.</summary>
    /// <param name="version">A <c>major.minor</c> version string.</param>
    /// <returns><see langword="true"/> when the version is well formed and its major version is supported.</returns>
    public static bool IsSupported(string? version)
    {
        if (!TryParse(version, out var major, out _))
        {
            return false;
        }

        foreach (var supported in SupportedMajorVersions)
        {
            if (supported == major)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses a <c>major.minor</c> version string.</summary>
    /// <param name="version">The text to parse.</param>
    /// <param name="major">The major version when parsing succeeds.</param>
    /// <param name="minor">The minor version when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="version"/> is well formed.</returns>
    public static bool TryParse(string? version, out int major, out int minor)
    {
        major = 0;
        minor = 0;
        if (string.IsNullOrEmpty(version))
        {
            return false;
        }

        var dot = version.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == version.Length - 1)
        {
            return false;
        }

        return int.TryParse(version.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out major)
            && int.TryParse(version.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out minor);
    }
}
