namespace ARuntime.Sdk.Policy;

/// <summary>
/// Matches declared egress against policy patterns: <c>*</c> matches anything, <c>*.example.com</c> matches subdomains of
/// example.com (not example.com itself), anything else matches exactly. Names compare ignoring case; an egress entry that is
/// an absolute URI is compared by its host.
/// </summary>
internal static class EgressPattern
{
    public static bool IsValid(string? pattern) =>
        !string.IsNullOrWhiteSpace(pattern)
        && !pattern.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && (pattern == "*" || !pattern.Contains('*', StringComparison.Ordinal) || (pattern.StartsWith("*.", StringComparison.Ordinal) && pattern.Length > 2 && pattern.IndexOf('*', 1) < 0));

    public static bool Matches(string pattern, string egress)
    {
        var target = Uri.TryCreate(egress, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host : egress;
        if (pattern == "*")
        {
            return true;
        }

        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return target.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(pattern, target, StringComparison.OrdinalIgnoreCase)
            || string.Equals(pattern, egress, StringComparison.OrdinalIgnoreCase);
    }

    public static bool MatchesAny(IReadOnlyList<string> patterns, string egress)
    {
        foreach (var pattern in patterns)
        {
            if (Matches(pattern, egress))
            {
                return true;
            }
        }

        return false;
    }
}
