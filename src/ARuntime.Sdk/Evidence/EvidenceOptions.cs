namespace ARuntime.Sdk.Evidence;

/// <summary>Evidence settings. Minimization is the default: records hold digests and sizes, not raw text.</summary>
public sealed class EvidenceOptions
{
    /// <summary>
    /// Gets or sets whether raw prompts, completions and tool payloads are captured in evidence records (secrets are redacted
    /// even then). Off by default; turning it on is recorded in every record's flags (<c>raw-content</c>).
    /// </summary>
    public bool CaptureRawContent { get; set; }

    /// <summary>
    /// Gets or sets a key for payload digests. When set, digests are HMAC-SHA-256 under this key instead of plain SHA-256, so
    /// short or guessable payloads cannot be confirmed by hashing candidates. At least 32 bytes.
    /// </summary>
    public ReadOnlyMemory<byte> PayloadHashKey { get; set; }

    /// <summary>
    /// Gets or sets whether the host accepted volatile in-memory evidence (set by <c>UseInMemoryEvidence()</c>). Every record
    /// written then carries the <c>volatile-storage</c> flag.
    /// </summary>
    public bool VolatileStorageAccepted { get; set; }

    /// <summary>
    /// Gets flags every record carries, added by storage packages that run in a weakened mode (for example the SQLCipher store's
    /// <c>plaintext-storage</c> development option), so the opt-out is recorded in the evidence itself.
    /// </summary>
    public IList<string> AdditionalFlags { get; } = [];

    /// <summary>
    /// Gets or sets the maximum number of records buffered in memory, process-wide, while the evidence store is failing
    /// (degraded mode). Beyond it records are lost, and the gap record written when the store recovers names them.
    /// </summary>
    public int MaxBufferedRecords { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how often buffered records are retried while the evidence store is failing (records are also retried on
    /// every later write and flush). <see langword="null"/> retries only on writes and flushes.
    /// </summary>
    public TimeSpan? ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);
}
