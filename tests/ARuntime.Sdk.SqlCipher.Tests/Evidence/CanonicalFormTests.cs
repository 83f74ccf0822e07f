using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// The canonical leaf serialization is RFC 8785 (JCS) and matches the worked example in docs/evidence-format.md byte for
/// byte, so a third party can re-implement leaf hashing from the document.
/// </summary>
public sealed class CanonicalFormTests
{
    internal static readonly EvidenceRecord ExampleRecord = new()
    {
        RecordId = "rec-0001",
        RequestId = "req-0001",
        TenantId = "acme",
        Sequence = 1,
        Stage = LifecycleStage.Admission,
        Kind = "stage",
        Outcome = StageOutcome.Completed,
        Decision = "allow",
        ReasonCodes = ["admission.ok"],
        Timestamp = new DateTimeOffset(2026, 1, 15, 9, 30, 0, TimeSpan.Zero).AddTicks(1234567),
        Duration = TimeSpan.FromTicks(15000),
        ActorId = "alice",
        CorrelationId = "demo",
        Versions = new VersionSet { Application = "quickstart/1.0", Runtime = "0.1.0" },
        Attributes = new Dictionary<string, string> { ["tokens.prompt"] = "12" },
    };

    internal static readonly PayloadDigest ExamplePayload = new()
    {
        Name = "prompt",
        Digest = Convert.ToHexStringLower(SHA256.HashData("Where is my order?"u8)),
        Length = 18,
    };

    internal static byte[] ExampleSalt => [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [Test]
    public void The_worked_example_reproduces_the_documented_bytes_and_hashes()
    {
        var canonicalPayload = EvidenceLeafCodec.EncodePayload(ExamplePayload);
        var commitment = EvidenceLeafCodec.Commitment(ExampleSalt, canonicalPayload);
        var (prefix, suffix) = EvidenceLeafCodec.Encode(ExampleRecord, [commitment]);
        var leaf = EvidenceLeafCodec.Assemble(prefix, 0, suffix);
        var leafHash = MerkleTree.HashLeaf(leaf);
        var (secondPrefix, secondSuffix) = EvidenceLeafCodec.Encode(ExampleRecord with { RecordId = "rec-0002", Sequence = 2, Stage = LifecycleStage.AuthorityResolution, ReasonCodes = [], Decision = null }, []);
        var second = EvidenceLeafCodec.Assemble(secondPrefix, 1, secondSuffix);
        var root = MerkleTree.HashChildren(leafHash, MerkleTree.HashLeaf(second));

        TestContext.Out.WriteLine("payload: " + Encoding.UTF8.GetString(canonicalPayload));
        TestContext.Out.WriteLine("commitment: " + Convert.ToHexStringLower(commitment));
        TestContext.Out.WriteLine("leaf: " + Encoding.UTF8.GetString(leaf));
        TestContext.Out.WriteLine("leafHash: " + Convert.ToHexStringLower(leafHash));
        TestContext.Out.WriteLine("leaf2: " + Encoding.UTF8.GetString(second));
        TestContext.Out.WriteLine("leafHash2: " + Convert.ToHexStringLower(MerkleTree.HashLeaf(second)));
        TestContext.Out.WriteLine("root: " + Convert.ToHexStringLower(root) + " " + Convert.ToBase64String(root));

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(canonicalPayload), Is.EqualTo(ExpectedPayload));
            Assert.That(Convert.ToHexStringLower(commitment), Is.EqualTo(ExpectedCommitment));
            Assert.That(Encoding.UTF8.GetString(leaf), Is.EqualTo(ExpectedLeaf));
            Assert.That(Convert.ToHexStringLower(leafHash), Is.EqualTo(ExpectedLeafHash));
            Assert.That(Convert.ToHexStringLower(root), Is.EqualTo(ExpectedRoot));
        });
    }

    [Test]
    public void Strings_are_escaped_as_JCS_requires_and_members_are_sorted()
    {
        var (prefix, suffix) = EvidenceLeafCodec.Encode(
            ExampleRecord with { Decision = "q\"b\\n\nt\tc\u0001é€😀/<", Attributes = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["B"] = "0" } },
            []);
        var text = Encoding.UTF8.GetString(EvidenceLeafCodec.Assemble(prefix, 7, suffix));

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("\"decision\":\"q\\\"b\\\\n\\nt\\tc\\u0001é€😀/<\""));
            Assert.That(text, Does.Contain("\"attributes\":{\"B\":\"0\",\"a\":\"1\",\"b\":\"2\"}"));
            Assert.That(text, Does.Contain("\"index\":7,"));
            Assert.That(text, Does.Not.Contain(" "), "no insignificant whitespace");
        });
    }

    [Test]
    public void A_decoded_leaf_gives_back_the_committed_record()
    {
        var commitment = EvidenceLeafCodec.Commitment(ExampleSalt, EvidenceLeafCodec.EncodePayload(ExamplePayload));
        var (prefix, suffix) = EvidenceLeafCodec.Encode(ExampleRecord, [commitment]);

        var decoded = EvidenceLeafCodec.Decode(EvidenceLeafCodec.Assemble(prefix, 41, suffix));

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Index, Is.EqualTo(41));
            Assert.That(decoded.Commitments.Single(), Is.EqualTo(commitment));
            Assert.That(decoded.Record with { Attributes = ExampleRecord.Attributes, ReasonCodes = ExampleRecord.ReasonCodes, Flags = ExampleRecord.Flags, Classification = ExampleRecord.Classification }, Is.EqualTo(ExampleRecord));
            Assert.That(decoded.Record.Classification, Is.EqualTo(ExampleRecord.Classification));
            Assert.That(decoded.Record.Attributes, Is.EquivalentTo(ExampleRecord.Attributes));
            Assert.That(decoded.Record.ReasonCodes, Is.EqualTo(ExampleRecord.ReasonCodes));
        });
    }

    private const string ExpectedPayload = """
        {"algorithm":"sha256","classification":{"labels":[],"sensitivity":"Internal"},"digest":"6951ac186c3c6207f25a11ebc9bd96c888b38fa33838cd138e1366e836a36ed7","length":18,"name":"prompt"}
        """;
    private const string ExpectedCommitment = "77fe023766045eff68b908335025ee43ab2f26551fb3f1d7beb194580f5af6f0";
    private const string ExpectedLeaf = """
        {"actorId":"alice","attributes":{"tokens.prompt":"12"},"classification":{"labels":[],"sensitivity":"Internal"},"contractVersion":"1.0","correlationId":"demo","decision":"allow","durationTicks":15000,"flags":[],"format":"aruntime-evidence-leaf/1","index":0,"kind":"stage","outcome":"Completed","payloadCommitments":["77fe023766045eff68b908335025ee43ab2f26551fb3f1d7beb194580f5af6f0"],"reasonCodes":["admission.ok"],"recordId":"rec-0001","requestId":"req-0001","retention":"Standard","sequence":1,"stage":"Admission","tenantId":"acme","timestamp":"2026-01-15T09:30:00.1234567Z","versions":{"application":"quickstart/1.0","runtime":"0.1.0"}}
        """;
    private const string ExpectedLeafHash = "859ad98c4d4b0a491b5703000667e8dc7a4ebdfc72626235259cabc753063c25";
    private const string ExpectedRoot = "be836c8080f835fcef11b02b96eb35158c3a9acb1c91be2096732b504c385bf5";
}
