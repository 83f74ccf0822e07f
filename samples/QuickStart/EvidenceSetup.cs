using ARuntime.Sdk;

namespace QuickStart;

/// <summary>Chooses where evidence goes.</summary>
public static class EvidenceSetup
{
    /// <summary>Registers the evidence store.</summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="options">The command line.</param>
    /// <returns>Facts about the evidence store to report (for example its path), as JSON-ready pairs.</returns>
    public static IReadOnlyDictionary<string, string> Configure(ARuntimeBuilder builder, QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Volatile, in-memory evidence: an explicit, recorded opt-out (every record carries the volatile-storage flag).
        builder.UseInMemoryEvidence();
        return new Dictionary<string, string>();
    }
}
