using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Tenants;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Turns stored rows back into records: the leaf for the record, the row's sealed payloads for its payloads.</summary>
internal sealed class EvidenceRecordReader(string tenantId, TenantKeyring keyring)
{
    private readonly TenantDataKey? key = keyring.TryGet(tenantId);

    public EvidenceRecord Read(long index, byte[] leaf, byte[]? payloads)
    {
        DecodedLeaf decoded;
        List<byte[]?> sealedValues;
        try
        {
            decoded = EvidenceLeafCodec.Decode(CompactJson.Decode(leaf));
            sealedValues = payloads is null ? [] : SealedPayloads.Unpack(payloads);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new EvidenceIntegrityException($"The evidence record at position {index} does not decode; it was altered outside the store. Run VerifyAsync to locate the change.", ex);
        }

        if (decoded.Commitments.Count == 0)
        {
            return decoded.Record;
        }

        var result = new List<PayloadDigest>(decoded.Commitments.Count);
        var erased = false;
        for (var i = 0; i < decoded.Commitments.Count; i++)
        {
            if (i < sealedValues.Count
                && sealedValues[i] is { } sealedValue
                && key is not null
                && key.TryOpen(sealedValue, EvidencePreparer.PayloadContext(decoded.Record.RecordId, i), out var plaintext)
                && plaintext.Length > EvidenceLeafCodec.SaltLength)
            {
                result.Add(DecodePayload(plaintext.AsSpan(EvidenceLeafCodec.SaltLength), index));
                continue;
            }

            erased = true;
            result.Add(new PayloadDigest
            {
                Name = "erased",
                Algorithm = "erased",
                Digest = Convert.ToHexStringLower(decoded.Commitments[i]),
                Length = 0,
            });
        }

        var record = decoded.Record with { Payloads = result };
        return erased ? record with { Flags = [.. record.Flags, SqlCipherEvidenceFlags.PayloadErased] } : record;
    }

    private static PayloadDigest DecodePayload(ReadOnlySpan<byte> stored, long index)
    {
        try
        {
            return EvidenceLeafCodec.DecodePayload(CompactJson.Decode(stored));
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EvidenceIntegrityException($"A payload of the evidence record at position {index} does not decode; it was altered outside the store. Run VerifyAsync to locate the change.", ex);
        }
    }
}
