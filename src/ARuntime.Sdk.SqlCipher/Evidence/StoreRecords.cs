using System.Globalization;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The records the store itself appends to a tenant's log when it erases or purges (request id <see cref="RequestId"/>),
/// and the names verification reads back from them to tell those erasures from removals.
/// </summary>
internal static class StoreRecords
{
    /// <summary>The request id of every record the store appends.</summary>
    public const string RequestId = "store";

    /// <summary>The kind of the record <see cref="SqlCipherEvidenceStore.ErasePayloadsAsync"/> appends.</summary>
    public const string PayloadsErasedKind = "evidence.payloads.erased";

    /// <summary>The attribute of that record naming the record whose payloads were erased.</summary>
    public const string ErasureTargetAttribute = "target.recordId";

    /// <summary>The kind of the record a purge of evidence payloads appends per tenant.</summary>
    public const string PayloadsPurgedKind = "evidence.payloads.purged";

    /// <summary>The attribute prefix of that record naming the cutoff (UTC ticks) applied to a retention class.</summary>
    public const string PayloadsPurgedCutoffPrefix = "cutoff.";

    /// <summary>The kind of the record a purge of expired memory items appends per tenant.</summary>
    public const string MemoryPurgedKind = "memory.purged";

    /// <summary>The kind of the record a tenant's erasure appends.</summary>
    public const string TenantErasedKind = "tenant.erased";

    /// <summary>A record of the store's own, with a fresh id (<paramref name="idPrefix"/> + a GUID).</summary>
    public static EvidenceRecord Create(
        string idPrefix, string tenantId, LifecycleStage stage, string kind, DateTimeOffset timestamp, IReadOnlyList<string> reasonCodes, IReadOnlyDictionary<string, string> attributes) => new()
    {
        RecordId = idPrefix + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture),
        RequestId = RequestId,
        TenantId = tenantId,
        Sequence = 0,
        Stage = stage,
        Kind = kind,
        Outcome = StageOutcome.Completed,
        Timestamp = timestamp,
        ReasonCodes = reasonCodes,
        Attributes = attributes,
    };
}
