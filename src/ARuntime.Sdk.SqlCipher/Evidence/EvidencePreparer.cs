using System.Security.Cryptography;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Validates a record, applies the store's minimization and plaintext-mode policies, commits to each payload with a fresh
/// salt, seals the payloads under the tenant's data key and encodes the canonical leaf — all on the caller's thread, so
/// the single writer only assigns indexes and inserts.
/// </summary>
internal sealed class EvidencePreparer(StoreServices services)
{
    public PreparedEvidence Prepare(EvidenceRecord record, Func<int, string?>? subjectOf = null)
    {
        Validate(record);
        record = ApplyPolicies(record);
        var payloads = new List<PreparedPayload>(record.Payloads.Count);
        var commitments = new List<byte[]>(record.Payloads.Count);
        TenantDataKey? key = null;
        for (var i = 0; i < record.Payloads.Count; i++)
        {
            key ??= services.Keyring.GetOrCreate(record.TenantId);
            var canonical = EvidenceLeafCodec.EncodePayload(record.Payloads[i]);
            var plaintext = new byte[EvidenceLeafCodec.SaltLength + canonical.Length];
            RandomNumberGenerator.Fill(plaintext.AsSpan(0, EvidenceLeafCodec.SaltLength));
            canonical.CopyTo(plaintext, EvidenceLeafCodec.SaltLength);
            commitments.Add(EvidenceLeafCodec.Commitment(plaintext.AsSpan(0, EvidenceLeafCodec.SaltLength), canonical));
            payloads.Add(new PreparedPayload(i, subjectOf?.Invoke(i), key.Seal(plaintext, PayloadContext(record.RecordId, i))));
            CryptographicOperations.ZeroMemory(plaintext);
        }

        var (prefix, suffix) = EvidenceLeafCodec.Encode(record, commitments);
        return new PreparedEvidence
        {
            TenantId = record.TenantId,
            RecordId = record.RecordId,
            RequestId = record.RequestId,
            CorrelationId = record.CorrelationId,
            Stage = (int)record.Stage,
            Kind = record.Kind,
            Outcome = (int)record.Outcome,
            TimestampTicks = record.Timestamp.UtcTicks,
            Retention = (int)record.Retention,
            LeafPrefix = prefix,
            LeafSuffix = suffix,
            Payloads = payloads,
        };
    }

    /// <summary>The associated-data context of a sealed payload.</summary>
    public static string PayloadContext(string recordId, int payloadIndex) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"evidence-payload\n{recordId}\n{payloadIndex}");

    private static void Validate(EvidenceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Require(record.RecordId, "RecordId");
        Require(record.RequestId, "RequestId");
        Require(record.TenantId, "TenantId");
        Require(record.Kind, "Kind");
        if (!ContractVersions.IsSupported(record.ContractVersion))
        {
            throw new ArgumentException($"The evidence record's contract version '{record.ContractVersion}' is not supported.", nameof(record));
        }

        if (!Enum.IsDefined(record.Stage) || !Enum.IsDefined(record.Outcome) || !Enum.IsDefined(record.Retention) || !Enum.IsDefined(record.Classification.Sensitivity))
        {
            throw new ArgumentException("The evidence record has an undefined Stage, Outcome, Retention or Sensitivity value.", nameof(record));
        }

        if (record.Sequence < 0)
        {
            throw new ArgumentException("The evidence record's Sequence must not be negative.", nameof(record));
        }

        foreach (var payload in record.Payloads)
        {
            if (payload is null || string.IsNullOrEmpty(payload.Name) || string.IsNullOrEmpty(payload.Digest) || string.IsNullOrEmpty(payload.Algorithm) || payload.Length < 0)
            {
                throw new ArgumentException("Every payload digest needs a Name, Algorithm, Digest and a non-negative Length.", nameof(record));
            }
        }
    }

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The evidence record's {name} is required.", name);
        }
    }

    private EvidenceRecord ApplyPolicies(EvidenceRecord record)
    {
        var flags = new List<string>(record.Flags);
        var payloads = record.Payloads;
        if (!services.Options.StoreRawPayloadContent && payloads.Any(p => p.Content is not null))
        {
            payloads = [.. payloads.Select(p => p.Content is null ? p : p with { Content = null })];
            AddFlag(flags, SqlCipherEvidenceFlags.RawContentDiscarded);
        }

        if (!services.Encrypted)
        {
            AddFlag(flags, SqlCipherEvidenceFlags.PlaintextStorage);
        }

        return flags.Count == record.Flags.Count && ReferenceEquals(payloads, record.Payloads)
            ? record
            : record with { Flags = flags, Payloads = payloads };
    }

    private static void AddFlag(List<string> flags, string flag)
    {
        if (!flags.Contains(flag, StringComparer.Ordinal))
        {
            flags.Add(flag);
        }
    }
}
