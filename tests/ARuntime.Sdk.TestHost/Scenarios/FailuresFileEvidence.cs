using System.Runtime.CompilerServices;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Serialization;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>A durable evidence sink and reader on a JSON-lines file (every write is fsynced, so both durabilities hold).</summary>
internal sealed class FailuresFileEvidence(string directory) : IEvidenceSink, IEvidenceReader
{
    private readonly FailuresJsonLinesFile file = new(Path.Combine(directory, "evidence.jsonl"));

    public ValueTask WriteAsync(EvidenceRecord record, EvidenceDurability durability, CancellationToken cancellationToken = default)
    {
        file.Append(JsonSerializer.Serialize(record, ARuntimeJsonContext.Default.EvidenceRecord));
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public async IAsyncEnumerable<EvidenceRecord> QueryAsync(EvidenceQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var element in file.ReadAll())
        {
            var record = element.Deserialize(ARuntimeJsonContext.Default.EvidenceRecord)!;
            if (query.Matches(record))
            {
                yield return record;
            }
        }

        await Task.CompletedTask;
    }
}
