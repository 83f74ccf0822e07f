using System.Globalization;
using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The canonical leaf bytes of an evidence record (docs/evidence-format.md): an RFC 8785 (JCS) JSON object holding the
/// record's fields and, instead of its payloads, a salted SHA-256 commitment to each payload. Erasing a payload and its
/// salt later leaves the leaf, and so every proof, unchanged.
/// </summary>
internal static class EvidenceLeafCodec
{
    /// <summary>The value of the leaf's <c>format</c> member.</summary>
    public const string Format = "aruntime-evidence-leaf/1";

    /// <summary>The domain-separation prefix of payload commitments.</summary>
    public const string CommitmentDomain = "aruntime-payload-commitment/1";

    /// <summary>The salt length in bytes.</summary>
    public const int SaltLength = 32;

    /// <summary>The leaf's timestamp format (UTC, seven fraction digits).</summary>
    internal const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static readonly byte[] CommitmentPrefix = [.. Encoding.UTF8.GetBytes(CommitmentDomain), 0x00];

    /// <summary>Encodes a record into the leaf bytes around its index: leaf = prefix || decimal(index) || suffix.</summary>
    public static (byte[] Prefix, byte[] Suffix) Encode(EvidenceRecord record, IReadOnlyList<byte[]> commitments)
    {
        var (template, indexOffset) = EncodeTemplate(record, commitments);
        return (template[..indexOffset], template[indexOffset..]);
    }

    /// <summary>Encodes a record into its leaf bytes without the index digits, and where they go (the writer inserts them once it assigns the index).</summary>
    public static (byte[] Template, int IndexOffset) EncodeTemplate(EvidenceRecord record, IReadOnlyList<byte[]> commitments)
    {
        var w = CanonicalJsonWriter.Rent();
        w.StartObject();
        w.Property("actorId", record.ActorId);
        w.StringMap("attributes", record.Attributes);
        WriteClassification(w, "classification", record.Classification);
        w.Property("contractVersion", record.ContractVersion);
        w.Property("correlationId", record.CorrelationId);
        w.Property("decision", record.Decision);
        w.Property("durationTicks", record.Duration.Ticks);
        w.StringArray("flags", record.Flags);
        w.Property("format", Format);
        w.PropertyName("index");
        var indexStart = w.Position;
        w.Integer(0);
        var indexEnd = w.Position;
        w.Property("kind", record.Kind);
        w.Property("outcome", record.Outcome.ToString());
        w.PropertyName("payloadCommitments");
        w.StartArray();
        Span<byte> hex = stackalloc byte[MerkleTree.HashSize * 2];
        foreach (var commitment in commitments)
        {
            Convert.TryToHexStringLower(commitment, hex, out var hexLength);
            w.PlainString(hex[..hexLength]);
        }

        w.EndArray();
        w.StringArray("reasonCodes", record.ReasonCodes);
        w.Property("recordId", record.RecordId);
        w.Property("requestId", record.RequestId);
        w.Property("retention", record.Retention.ToString());
        w.Property("sequence", record.Sequence);
        w.Property("spanId", record.SpanId);
        w.Property("stage", record.Stage.ToString());
        w.Property("tenantId", record.TenantId);
        w.PropertyName("timestamp");
        Span<byte> timestamp = stackalloc byte[32];
        w.PlainString(FormatTimestamp(record.Timestamp, timestamp));
        w.Property("traceId", record.TraceId);
        WriteVersions(w, record.Versions);
        w.EndObject();
        var bytes = w.WrittenSpan;
        var template = new byte[bytes.Length - (indexEnd - indexStart)];
        bytes[..indexStart].CopyTo(template);
        bytes[indexEnd..].CopyTo(template.AsSpan(indexStart));
        return (template, indexStart);
    }

    /// <summary>Writes a leaf from its template and index into <paramref name="destination"/> and returns its length.</summary>
    public static int Assemble(ReadOnlySpan<byte> template, int indexOffset, long index, Span<byte> destination)
    {
        template[..indexOffset].CopyTo(destination);
        index.TryFormat(destination[indexOffset..], out var digits, provider: CultureInfo.InvariantCulture);
        template[indexOffset..].CopyTo(destination[(indexOffset + digits)..]);
        return template.Length + digits;
    }

    /// <summary>Assembles the leaf bytes for an index.</summary>
    public static byte[] Assemble(byte[] prefix, long index, byte[] suffix)
    {
        Span<byte> digits = stackalloc byte[20];
        index.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        var leaf = new byte[prefix.Length + written + suffix.Length];
        prefix.CopyTo(leaf, 0);
        digits[..written].CopyTo(leaf.AsSpan(prefix.Length));
        suffix.CopyTo(leaf, prefix.Length + written);
        return leaf;
    }

    /// <summary>Decodes leaf bytes back into a record (without payloads), its index and its payload commitments.</summary>
    public static DecodedLeaf Decode(ReadOnlySpan<byte> leaf)
    {
        using var document = JsonDocument.Parse(leaf.ToArray());
        var root = document.RootElement;
        if (root.GetProperty("format").GetString() != Format)
        {
            throw new FormatException("The leaf's format is not " + Format + ".");
        }

        var record = new EvidenceRecord
        {
            ContractVersion = root.GetProperty("contractVersion").GetString()!,
            RecordId = root.GetProperty("recordId").GetString()!,
            RequestId = root.GetProperty("requestId").GetString()!,
            TenantId = root.GetProperty("tenantId").GetString()!,
            Sequence = root.GetProperty("sequence").GetInt32(),
            Stage = Enum.Parse<LifecycleStage>(root.GetProperty("stage").GetString()!),
            Kind = root.GetProperty("kind").GetString()!,
            Outcome = Enum.Parse<StageOutcome>(root.GetProperty("outcome").GetString()!),
            Decision = OptionalString(root, "decision"),
            ReasonCodes = StringList(root.GetProperty("reasonCodes")),
            Timestamp = new DateTimeOffset(DateTime.ParseExact(root.GetProperty("timestamp").GetString()!, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero),
            Duration = TimeSpan.FromTicks(root.GetProperty("durationTicks").GetInt64()),
            ActorId = OptionalString(root, "actorId"),
            CorrelationId = OptionalString(root, "correlationId"),
            TraceId = OptionalString(root, "traceId"),
            SpanId = OptionalString(root, "spanId"),
            Versions = ReadVersions(root.GetProperty("versions")),
            Attributes = root.GetProperty("attributes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            Classification = ReadClassification(root.GetProperty("classification")),
            Retention = Enum.Parse<RetentionClass>(root.GetProperty("retention").GetString()!),
            Flags = StringList(root.GetProperty("flags")),
        };
        var commitments = root.GetProperty("payloadCommitments").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();
        return new DecodedLeaf(record, root.GetProperty("index").GetInt64(), commitments);
    }

    /// <summary>Encodes a payload digest canonically (the bytes a commitment covers).</summary>
    public static byte[] EncodePayload(PayloadDigest payload) => WritePayload(payload).ToArray();

    /// <summary>Encodes a payload digest canonically into this thread's writer and returns the bytes (valid until the writer is rented again).</summary>
    public static ReadOnlySpan<byte> WritePayload(PayloadDigest payload)
    {
        var w = CanonicalJsonWriter.Rent();
        w.StartObject();
        w.Property("algorithm", payload.Algorithm);
        WriteClassification(w, "classification", payload.Classification);
        w.Property("content", payload.Content);
        w.Property("digest", payload.Digest);
        w.Property("length", payload.Length);
        w.Property("name", payload.Name);
        w.EndObject();
        return w.WrittenSpan;
    }

    /// <summary>Decodes a canonical payload.</summary>
    public static PayloadDigest DecodePayload(ReadOnlySpan<byte> canonical)
    {
        using var document = JsonDocument.Parse(canonical.ToArray());
        var root = document.RootElement;
        return new PayloadDigest
        {
            Name = root.GetProperty("name").GetString()!,
            Algorithm = root.GetProperty("algorithm").GetString()!,
            Digest = root.GetProperty("digest").GetString()!,
            Length = root.GetProperty("length").GetInt64(),
            Classification = ReadClassification(root.GetProperty("classification")),
            Content = OptionalString(root, "content"),
        };
    }

    /// <summary>commitment = SHA-256(UTF-8("aruntime-payload-commitment/1") || 0x00 || salt || canonical payload).</summary>
    public static byte[] Commitment(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> canonicalPayload)
    {
        var input = new byte[CommitmentPrefix.Length + salt.Length + canonicalPayload.Length];
        CommitmentPrefix.CopyTo(input, 0);
        salt.CopyTo(input.AsSpan(CommitmentPrefix.Length));
        canonicalPayload.CopyTo(input.AsSpan(CommitmentPrefix.Length + salt.Length));
        return Sha256Hasher.Hash(input);
    }

    /// <summary>UTF-8("aruntime-payload-commitment/1") || 0x00: what a commitment's hash input starts with.</summary>
    internal static ReadOnlySpan<byte> CommitmentPrefixBytes => CommitmentPrefix;

    private static ReadOnlySpan<byte> FormatTimestamp(DateTimeOffset timestamp, Span<byte> destination)
    {
        // The round-trip format of a UTC DateTime is exactly yyyy-MM-ddTHH:mm:ss.fffffffZ.
        timestamp.UtcDateTime.TryFormat(destination, out var written, "O", CultureInfo.InvariantCulture);
        return destination[..written];
    }

    private static void WriteClassification(CanonicalJsonWriter w, string name, DataClassification classification)
    {
        w.PropertyName(name);
        w.StartObject();
        w.StringArray("labels", classification.Labels);
        w.Property("sensitivity", classification.Sensitivity.ToString());
        w.EndObject();
    }

    private static void WriteVersions(CanonicalJsonWriter w, VersionSet versions)
    {
        w.PropertyName("versions");
        w.StartObject();
        w.Property("application", versions.Application);
        w.Property("engine", versions.Engine);
        w.Property("model", versions.Model);
        w.Property("policy", versions.Policy);
        w.Property("promptTemplate", versions.PromptTemplate);
        w.Property("retrievalIndex", versions.RetrievalIndex);
        w.Property("runtime", versions.Runtime);
        w.Property("schema", versions.Schema);
        w.Property("tool", versions.Tool);
        w.EndObject();
    }

    private static VersionSet ReadVersions(JsonElement e) => new()
    {
        Application = OptionalString(e, "application"),
        Engine = OptionalString(e, "engine"),
        Model = OptionalString(e, "model"),
        Policy = OptionalString(e, "policy"),
        PromptTemplate = OptionalString(e, "promptTemplate"),
        RetrievalIndex = OptionalString(e, "retrievalIndex"),
        Runtime = OptionalString(e, "runtime"),
        Schema = OptionalString(e, "schema"),
        Tool = OptionalString(e, "tool"),
    };

    private static DataClassification ReadClassification(JsonElement e) => new()
    {
        Sensitivity = Enum.Parse<Sensitivity>(e.GetProperty("sensitivity").GetString()!),
        Labels = StringList(e.GetProperty("labels")),
    };

    private static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> StringList(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetString()!)];
}
