namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>What verification found wrong with a tenant's evidence log.</summary>
public enum EvidenceTamperKind
{
    /// <summary>Nothing: the log verifies.</summary>
    None = 0,

    /// <summary>A record's content differs from what was committed at its position.</summary>
    Modified = 1,

    /// <summary>A committed record is missing.</summary>
    Deleted = 2,

    /// <summary>A record that was never committed at this position is present.</summary>
    Inserted = 3,

    /// <summary>Committed records are present at positions other than their own.</summary>
    Reordered = 4,

    /// <summary>A stored payload does not match the commitment its record's leaf holds.</summary>
    PayloadModified = 5,

    /// <summary>The stored tree (leaf hashes, interior nodes or tree head) does not match the records.</summary>
    TreeMismatch = 6,

    /// <summary>A signed checkpoint's root does not match the log at the checkpoint's size.</summary>
    CheckpointMismatch = 7,

    /// <summary>A stored checkpoint's signature does not verify.</summary>
    CheckpointSignatureInvalid = 8,

    /// <summary>
    /// A record's payloads are gone although nothing erased them: no erasure record names the record, its tenant was not
    /// erased, and its retention period has not passed.
    /// </summary>
    PayloadRemoved = 9,
}
