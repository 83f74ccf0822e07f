using System.Globalization;
using System.Security.Cryptography;
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

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Encodes a record into the leaf bytes around its index: leaf = prefix || decimal(index) || suffix.</summary>
    public static (byte[] Prefix, byte[] Suffix) Encode(EvidenceRecord record, IReadOnlyList<byte[]> commitments)
    {
        var w = new CanonicalJsonWriter();
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
        w.StringArray("payloadCommitments", commitments.Select(Convert.ToHexStringLower));
        w.StringArray("reasonCodes", record.ReasonCodes);
        w.Property("recordId", record.RecordId);
        w.Property("requestId", record.RequestId);
        w.Property("retention", record.Retention.ToString());
        w.Property("sequence", record.Sequence);
        w.Property("spanId", record.SpanId);
        w.Property("stage", record.Stage.ToString());
        w.Property("tenantId", record.TenantId);
        w.Property("timestamp", record.Timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture));
        w.Property("traceId", record.TraceId);
        WriteVersions(w, record.Versions);
        w.EndObject();
        var bytes = w.WrittenSpan;
        return (bytes[..indexStart].ToArray(), bytes[indexEnd..].ToArray());
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
    public static byte[] EncodePayload(PayloadDigest payload)
    {
        var w = new CanonicalJsonWriter();
        w.StartObject();
        w.Property("algorithm", payload.Algorithm);
        WriteClassification(w, "classification", payload.Classification);
        w.Property("content", payload.Content);
        w.Property("digest", payload.Digest);
        w.Property("length", payload.Length);
        w.Property("name", payload.Name);
        w.EndObject();
        return w.ToArray();
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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(CommitmentDomain));
        hash.AppendData([0x00]);
        hash.AppendData(salt);
        hash.AppendData(canonicalPayload);
        return hash.GetHashAndReset();
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
