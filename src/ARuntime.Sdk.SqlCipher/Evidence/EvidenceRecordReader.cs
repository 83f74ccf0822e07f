using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Turns stored rows back into records: the leaf for the record, the sealed payload rows for its payloads.</summary>
internal sealed class EvidenceRecordReader : IDisposable
{
    private readonly SqliteCommand payloads;
    private readonly SqliteParameter leafIndex;
    private readonly TenantDataKey? key;

    public EvidenceRecordReader(SqliteConnection connection, string tenantId, TenantKeyring keyring)
    {
        key = keyring.TryGet(tenantId);
        payloads = connection.Command("SELECT payload_index, sealed FROM evidence_payload WHERE tenant_id = $t AND leaf_index = $i ORDER BY payload_index");
        payloads.Parameters.AddWithValue("$t", tenantId);
        leafIndex = payloads.Parameters.AddWithValue("$i", 0L);
    }

    public EvidenceRecord Read(long index, byte[] leaf)
    {
        DecodedLeaf decoded;
        try
        {
            decoded = EvidenceLeafCodec.Decode(leaf);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new EvidenceIntegrityException($"The evidence record at position {index} does not decode; it was altered outside the store. Run VerifyAsync to locate the change.", ex);
        }

        if (decoded.Commitments.Count == 0)
        {
            return decoded.Record;
        }

        var sealedRows = new Dictionary<int, byte[]>();
        leafIndex.Value = index;
        using (var reader = payloads.ExecuteReader())
        {
            while (reader.Read())
            {
                sealedRows[reader.GetInt32(0)] = reader.GetBytes(1);
            }
        }

        var result = new List<PayloadDigest>(decoded.Commitments.Count);
        var erased = false;
        for (var i = 0; i < decoded.Commitments.Count; i++)
        {
            if (sealedRows.TryGetValue(i, out var sealedValue)
                && key is not null
                && key.TryOpen(sealedValue, EvidencePreparer.PayloadContext(decoded.Record.RecordId, i), out var plaintext)
                && plaintext.Length > EvidenceLeafCodec.SaltLength)
            {
                result.Add(EvidenceLeafCodec.DecodePayload(plaintext.AsSpan(EvidenceLeafCodec.SaltLength)));
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

    public void Dispose() => payloads.Dispose();
}
