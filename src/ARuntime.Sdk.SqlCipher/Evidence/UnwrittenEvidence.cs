using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Acknowledged records whose batch could not be committed, kept (bounded) until the next flush hands them back to the
/// caller in <see cref="ARuntime.Sdk.Evidence.EvidenceWriteException.UnwrittenRecords"/>. An acknowledged write returns
/// before its commit, so this is how the runtime's evidence backlog learns about a record the database then refused: the
/// record is written again when the store recovers, with a gap record, instead of being lost.
/// </summary>
internal sealed class UnwrittenEvidence(int capacity)
{
    private readonly Lock gate = new();
    private List<EvidenceRecord> records = [];

    /// <summary>Keeps a record; false when the bound is reached (the record is then lost and counted as such).</summary>
    public bool TryAdd(EvidenceRecord record)
    {
        lock (gate)
        {
            if (records.Count >= capacity)
            {
                return false;
            }

            records.Add(record);
            return true;
        }
    }

    /// <summary>Takes every kept record, oldest first.</summary>
    public IReadOnlyList<EvidenceRecord> TakeAll()
    {
        lock (gate)
        {
            if (records.Count == 0)
            {
                return [];
            }

            var taken = records;
            records = [];
            return taken;
        }
    }
}
