using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Validates a record, applies the store's minimization and plaintext-mode policies, commits to each payload with a fresh
/// salt, seals the payloads under the tenant's data key and encodes the canonical leaf — all on the caller's thread, so
/// the single writer only assigns the index, hashes the leaf and inserts.
/// </summary>
internal sealed class EvidencePreparer(StoreServices services)
{
    public PreparedEvidence Prepare(EvidenceRecord record, string? subject = null)
    {
        Validate(record);
        record = ApplyPolicies(record);
        var count = record.Payloads.Count;
        var commitments = count == 0 ? [] : new byte[count][];
        byte[]? packed = null;
        if (count > 0)
        {
            var key = services.Keyring.GetOrCreate(record.TenantId);
            var sealedValues = new byte[]?[count];
            var prefix = EvidenceLeafCodec.CommitmentPrefixBytes;
            for (var i = 0; i < count; i++)
            {
                // One buffer: commitment domain || salt || canonical payload, then salt || stored payload. The commitment
                // hashes the first part; the sealed plaintext is the second (the payload in its compact stored form).
                var canonical = EvidenceLeafCodec.WritePayload(record.Payloads[i]);
                var length = prefix.Length + EvidenceLeafCodec.SaltLength + canonical.Length;
                var storedStart = length;
                var buffer = ArrayPool<byte>.Shared.Rent(length + EvidenceLeafCodec.SaltLength + canonical.Length + 1);
                var used = length + EvidenceLeafCodec.SaltLength + canonical.Length + 1;
                try
                {
                    prefix.CopyTo(buffer);
                    var salt = buffer.AsSpan(prefix.Length, EvidenceLeafCodec.SaltLength);
                    RandomPool.Fill(salt);
                    canonical.CopyTo(buffer.AsSpan(prefix.Length + EvidenceLeafCodec.SaltLength));
                    commitments[i] = Sha256Hasher.Hash(buffer.AsSpan(0, length));
                    salt.CopyTo(buffer.AsSpan(storedStart));
                    var stored = CompactJson.Encode(canonical, buffer.AsSpan(storedStart + EvidenceLeafCodec.SaltLength));
                    var plaintext = stored < 0
                        ? buffer.AsSpan(prefix.Length, length - prefix.Length)
                        : buffer.AsSpan(storedStart, EvidenceLeafCodec.SaltLength + stored);
                    sealedValues[i] = key.Seal(plaintext, PayloadContext(record.RecordId, i));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(buffer.AsSpan(0, used));
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            packed = SealedPayloads.Pack(sealedValues);
        }

        var (template, indexOffset) = EvidenceLeafCodec.EncodeTemplate(record, commitments);
        var (storedTemplate, storedIndexOffset) = StoredLeaf(template, indexOffset);
        return new PreparedEvidence
        {
            TenantId = record.TenantId,
            RecordId = record.RecordId,
            RecordIdUtf8 = Encoding.UTF8.GetBytes(record.RecordId),
            RequestIdUtf8 = Encoding.UTF8.GetBytes(record.RequestId),
            CorrelationIdUtf8 = record.CorrelationId is null ? null : Encoding.UTF8.GetBytes(record.CorrelationId),
            Stage = (int)record.Stage,
            KindUtf8 = Encoding.UTF8.GetBytes(record.Kind),
            Outcome = (int)record.Outcome,
            TimestampTicks = record.Timestamp.UtcTicks,
            Retention = (int)record.Retention,
            SubjectUtf8 = subject is null ? null : Encoding.UTF8.GetBytes(subject),
            LeafTemplate = template,
            IndexOffset = indexOffset,
            StoredLeafTemplate = storedTemplate,
            StoredIndexOffset = storedIndexOffset,
            Payloads = packed,
        };
    }

    /// <summary>
    /// The compact stored form of a leaf template and where its index digits go (each side encoded on its own, so the writer
    /// inserts the digits as it does into the canonical template), or null to store the canonical leaf.
    /// </summary>
    private static (byte[]? Template, int IndexOffset) StoredLeaf(byte[] template, int indexOffset)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(template.Length + 1);
        try
        {
            var prefix = CompactJson.Encode(template.AsSpan(0, indexOffset), buffer);
            var suffix = prefix < 0 ? -1 : CompactJson.EncodeBody(template.AsSpan(indexOffset), buffer.AsSpan(prefix));
            return suffix < 0 ? (null, 0) : (buffer.AsSpan(0, prefix + suffix).ToArray(), prefix);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
        var discard = false;
        if (!services.Options.StoreRawPayloadContent)
        {
            foreach (var payload in record.Payloads)
            {
                discard |= payload.Content is not null;
            }
        }

        var plaintext = !services.Encrypted;
        if (!discard && !plaintext)
        {
            return record;
        }

        var flags = new List<string>(record.Flags);
        var payloads = record.Payloads;
        if (discard)
        {
            payloads = [.. payloads.Select(p => p.Content is null ? p : p with { Content = null })];
            AddFlag(flags, SqlCipherEvidenceFlags.RawContentDiscarded);
        }

        if (plaintext)
        {
            AddFlag(flags, SqlCipherEvidenceFlags.PlaintextStorage);
        }

        return record with { Flags = flags, Payloads = payloads };
    }

    private static void AddFlag(List<string> flags, string flag)
    {
        if (!flags.Contains(flag, StringComparer.Ordinal))
        {
            flags.Add(flag);
        }
    }
}
