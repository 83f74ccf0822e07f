using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// The compact form rows store leaves and payloads in gives back exactly the canonical bytes (so every hash, proof and
/// export is unchanged), is much smaller for the store's own formats, and refuses malformed input with a FormatException.
/// </summary>
public sealed class CompactJsonTests
{
    private static readonly byte[] Commitment = SHA256.HashData("commitment"u8);

    private static IEnumerable<TestCaseData> Records()
    {
        var rich = CanonicalFormTests.ExampleRecord with
        {
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            SpanId = "00f067aa0ba902b7",
            Decision = "deny \"quoted\" \\ and\ttab",
            ReasonCodes = ["policy.denied", "ünïcödé ✓", "emoji 🚀"],
            Flags = ["flag-a"],
            Attributes = new Dictionary<string, string> { ["a"] = "1", ["hex"] = new string('a', 70), ["z"] = "{\"nested\":[1,2]}" },
            Classification = new DataClassification { Sensitivity = Sensitivity.Restricted, Labels = ["pii", "finance"] },
            Versions = new VersionSet { Application = "app/2", Engine = "llama.cpp", Model = "m", Policy = "p", PromptTemplate = "t", RetrievalIndex = "r", Runtime = "0.1.0", Schema = "s", Tool = "tool/1" },
            Retention = RetentionClass.LegalHold,
            Duration = TimeSpan.FromDays(3),
        };
        yield return new TestCaseData(CanonicalFormTests.ExampleRecord).SetArgDisplayNames("documented example");
        yield return new TestCaseData(rich).SetArgDisplayNames("every field, escapes and non-ASCII");
        foreach (var stage in Enum.GetValues<LifecycleStage>())
        {
            foreach (var outcome in Enum.GetValues<StageOutcome>())
            {
                yield return new TestCaseData(CanonicalFormTests.ExampleRecord with { Stage = stage, Outcome = outcome, Timestamp = DateTimeOffset.UnixEpoch.AddTicks((long)stage * 7919 * (long)(outcome + 1)) })
                    .SetArgDisplayNames($"{stage} {outcome}");
            }
        }
    }

    [TestCaseSource(nameof(Records))]
    public void A_leaf_decodes_to_exactly_its_canonical_bytes(EvidenceRecord record)
    {
        var (template, indexOffset) = EvidenceLeafCodec.EncodeTemplate(record, [Commitment]);
        var leaf = EvidenceLeafCodec.Assemble(template[..indexOffset], 123_456_789, template[indexOffset..]);

        var stored = CompactJson.Encode(leaf);

        Assert.That(stored, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(CompactJson.Decode(stored!), Is.EqualTo(leaf));
            Assert.That(stored!.Length, Is.LessThan(leaf.Length));
        });
    }

    [Test]
    public void A_leaf_encoded_around_its_index_as_the_store_writes_it_decodes_to_the_leaf()
    {
        var (template, indexOffset) = EvidenceLeafCodec.EncodeTemplate(CanonicalFormTests.ExampleRecord, [Commitment]);
        var leaf = EvidenceLeafCodec.Assemble(template[..indexOffset], 42, template[indexOffset..]);
        var prefix = CompactJson.Encode(template.AsSpan(0, indexOffset).ToArray())!;
        var suffix = new byte[template.Length];
        var suffixLength = CompactJson.EncodeBody(template.AsSpan(indexOffset), suffix);

        byte[] stored = [.. prefix, .. "42"u8.ToArray(), .. suffix.AsSpan(0, suffixLength).ToArray()];

        Assert.That(CompactJson.Decode(stored), Is.EqualTo(leaf));
    }

    [Test]
    public void A_typical_leaf_and_payload_shrink_to_well_under_their_canonical_size()
    {
        var record = new EvidenceRecord
        {
            RecordId = "rec-00001234",
            RequestId = "req-000077",
            TenantId = "bench",
            Sequence = 3,
            Stage = LifecycleStage.ToolExecution,
            Kind = "tool.call",
            Outcome = StageOutcome.Completed,
            Timestamp = new DateTimeOffset(2026, 12, 7, 22, 0, 0, TimeSpan.Zero).AddTicks(31_415),
        };
        var (template, indexOffset) = EvidenceLeafCodec.EncodeTemplate(record, [Commitment]);
        var leaf = EvidenceLeafCodec.Assemble(template[..indexOffset], 1234, template[indexOffset..]);
        var content = "The order ships on Tuesday; tracking number 1Z999AA10123456784.";
        var payload = EvidenceLeafCodec.EncodePayload(new PayloadDigest
        {
            Name = "tool.result",
            Digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))),
            Length = content.Length,
            Content = content,
        });

        var storedLeaf = CompactJson.Encode(leaf)!;
        var storedPayload = CompactJson.Encode(payload)!;

        TestContext.Out.WriteLine($"leaf {leaf.Length} -> {storedLeaf.Length} bytes; payload {payload.Length} -> {storedPayload.Length} bytes");
        Assert.Multiple(() =>
        {
            Assert.That(storedLeaf.Length, Is.LessThan(leaf.Length * 0.4), "leaf");
            Assert.That(storedPayload.Length, Is.LessThanOrEqualTo(payload.Length - 100 - 32), "payload: the structure is tokenized, the digest stored as bytes, the content kept");
            Assert.That(CompactJson.Decode(storedPayload), Is.EqualTo(payload));
        });
    }

    [Test]
    public void Canonical_json_stored_as_it_is_reads_back_unchanged()
    {
        var canonical = "{\"a\":\"b\"}"u8.ToArray();

        Assert.That(CompactJson.Decode(canonical), Is.EqualTo(canonical));
    }

    [Test]
    public void Input_holding_a_byte_the_encoding_reserves_is_not_encoded()
    {
        // Canonical JSON escapes control characters; anything else is stored canonically rather than mis-encoded.
        Assert.That(CompactJson.Encode("{\"a\":\"\u0001\"}"u8), Is.Null);
    }

    [TestCase("2026-13-01T00:00:00.0000000Z", TestName = "A month that does not exist")]
    [TestCase("2026-01-01T00:00:00.000000Z1", TestName = "Six fraction digits")]
    [TestCase("2026-01-01 00:00:00.0000000Z", TestName = "No T")]
    [TestCase("0001-01-01T00:00:00.0000000Z", TestName = "The first tick")]
    [TestCase("9999-12-31T23:59:59.9999999Z", TestName = "The last tick")]
    public void Timestamp_shaped_strings_round_trip_whether_or_not_they_are_timestamps(string text)
    {
        var json = Encoding.UTF8.GetBytes($"{{\"timestamp\":\"{text}\",\"x\":\"{text}\"}}");

        Assert.That(CompactJson.Decode(CompactJson.Encode(json)!), Is.EqualTo(json));
    }

    [Test]
    public void Random_json_like_text_round_trips_exactly()
    {
        // Text from the characters the encoder looks at (word starts, hex digits, timestamp shapes) and word fragments.
        string[] pieces = ["{", "}", ",", "\"", ":", "[", "]", "a", "f", "0", "9", "T", "Z", "-", ".", "é", "\\\"", "\"kind\":", ",\"stage\":", "\"Completed\"", "{\"attributes\":{}", "2026-01-01T00:00:00.0000000Z", "deadbeefdeadbeefdeadbeefdeadbeef", "x"];
        var random = new Random(20261207);
        for (var sample = 0; sample < 3000; sample++)
        {
            var text = new StringBuilder("{");
            var count = random.Next(0, 60);
            for (var i = 0; i < count; i++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var json = Encoding.UTF8.GetBytes(text.ToString());
            var stored = CompactJson.Encode(json);

            Assert.That(stored, Is.Not.Null);
            Assert.That(CompactJson.Decode(stored!), Is.EqualTo(json), text.ToString());
        }
    }

    [Test]
    public void A_long_hex_run_splits_into_runs_the_length_byte_can_hold()
    {
        var json = Encoding.UTF8.GetBytes("{\"h\":\"" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(700)) + "\"}");

        var stored = CompactJson.Encode(json)!;

        Assert.Multiple(() =>
        {
            Assert.That(CompactJson.Decode(stored), Is.EqualTo(json));
            Assert.That(stored.Length, Is.LessThan(json.Length));
        });
    }

    [TestCase(new byte[0], TestName = "Empty")]
    [TestCase(new byte[] { (byte)'[', (byte)']' }, TestName = "Neither canonical nor compact")]
    [TestCase(new byte[] { 0x00, 0x01 }, TestName = "Hex run without its length")]
    [TestCase(new byte[] { 0x00, 0x01, 0x05, 0xAA }, TestName = "Hex run shorter than its length")]
    [TestCase(new byte[] { 0x00, 0x02, 0x01, 0x02 }, TestName = "Timestamp cut short")]
    [TestCase(new byte[] { 0x00, 0x02, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, TestName = "Timestamp out of range")]
    [TestCase(new byte[] { 0x00, 0x1F }, TestName = "Extended word without its index")]
    [TestCase(new byte[] { 0x00, 0x1F, 0xFF }, TestName = "Unknown extended word")]
    [TestCase(new byte[] { 0x00, (byte)'{', 0x00 }, TestName = "Reserved byte inside")]
    public void Malformed_stored_values_are_refused(byte[] stored) =>
        Assert.That(() => CompactJson.Decode(stored), Throws.TypeOf<FormatException>());
}
