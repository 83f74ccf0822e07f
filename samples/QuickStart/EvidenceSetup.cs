using ARuntime.Sdk;
using ARuntime.Sdk.SqlCipher.Keys;

namespace QuickStart;

/// <summary>
/// Chooses where evidence goes: by default an encrypted SQLCipher file under the user's local app data, keyed by an
/// owner-only key file (64 hex characters) created on first run. <c>--evidence-db PATH</c> and <c>--key-file PATH</c>
/// choose other locations; <c>--in-memory-evidence</c> keeps evidence in memory instead (a recorded opt-out).
/// </summary>
public static class EvidenceSetup
{
    /// <summary>Registers the evidence store.</summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="options">The command line.</param>
    /// <returns>Facts about the evidence store to report (its absolute paths), as JSON-ready pairs.</returns>
    public static IReadOnlyDictionary<string, string> Configure(ARuntimeBuilder builder, QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.InMemoryEvidence)
        {
            // Volatile, in-memory evidence: an explicit, recorded opt-out (every record carries the volatile-storage flag).
            builder.UseInMemoryEvidence();
            return new Dictionary<string, string>();
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        var directory = Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, "ARuntime", "QuickStart");
        var database = Path.GetFullPath(options.EvidenceDb ?? Path.Combine(directory, "evidence.db"));
        var keyFile = Path.GetFullPath(options.KeyFile ?? Path.Combine(directory, "evidence.key"));
        builder.UseSqlCipherStore(o =>
        {
            o.DatabasePath = database;
            o.KeyProvider = StoreKeyProvider.FromFile(keyFile, createIfMissing: true);
        });
        return new Dictionary<string, string> { ["evidenceDb"] = database, ["keyFile"] = keyFile };
    }
}
