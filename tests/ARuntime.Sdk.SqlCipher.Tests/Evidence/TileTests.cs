using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// The tree stored as tiles (three tile levels: 65,600 leaves) gives the same roots and proofs as RFC 6962 computed from
/// the leaves, at tree sizes on and around tile boundaries, and a store reopened on it rebuilds its frontier and goes on.
/// </summary>
public sealed class TileTests
{
    private const int Records = 65_600;
    private TestStore test = null!;
    private List<(string RecordId, byte[] LeafHash)> leaves = null!;

    [OneTimeSetUp]
    public async Task WriteLogAsync()
    {
        test = await TestStore.OpenAsync();
        var pending = new List<Task>(1024);
        for (var i = 0; i < Records; i++)
        {
            pending.Add(test.Store.Evidence.WriteAsync(TestStore.Record("t", i), EvidenceDurability.Acknowledged).AsTask());
            if (pending.Count == 1024)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
        await test.Store.Evidence.FlushAsync();
        leaves = ReadLeaves();
    }

    [OneTimeTearDown]
    public async Task DeleteAsync() => await test.DisposeAsync();

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(257)]
    [TestCase(511)]
    [TestCase(65_535)]
    [TestCase(65_536)]
    [TestCase(65_537)]
    [TestCase(Records)]
    public async Task Inclusion_proofs_and_roots_match_RFC_6962_over_the_leaves(int size)
    {
        var reference = leaves.Take(size).Select(l => l.LeafHash).ToList();
        foreach (var index in new[] { 0, size / 2, size - 1 }.Distinct())
        {
            var proof = await test.Store.Evidence.GetInclusionProofAsync("t", leaves[index].RecordId, size);
            Assert.Multiple(() =>
            {
                Assert.That(proof!.LeafIndex, Is.EqualTo(index));
                Assert.That(proof.RootHash.ToArray(), Is.EqualTo(MerkleTree.ComputeRoot(reference)), $"root at {size}");
                Assert.That(proof.AuditPath, Is.EqualTo(MerkleTree.InclusionProof(reference, index, size)), $"path of {index} at {size}");
                Assert.That(proof.Verify(), Is.True);
            });
        }
    }

    [TestCase(1, Records)]
    [TestCase(256, 65_537)]
    [TestCase(257, 511)]
    [TestCase(65_535, 65_536)]
    [TestCase(65_536, Records)]
    public async Task Consistency_proofs_match_RFC_6962_over_the_leaves(int first, int second)
    {
        var reference = leaves.Select(l => l.LeafHash).ToList();
        var proof = await test.Store.Evidence.GetConsistencyProofAsync("t", first, second);

        Assert.Multiple(() =>
        {
            Assert.That(proof.Proof, Is.EqualTo(MerkleTree.ConsistencyProof(reference, first, second)));
            Assert.That(proof.FirstRoot.ToArray(), Is.EqualTo(MerkleTree.ComputeRoot(reference.Take(first).ToList())));
            Assert.That(proof.Verify(), Is.True);
        });
    }

    [Test]
    public async Task A_reopened_store_rebuilds_the_frontier_from_the_tiles_and_appends()
    {
        // Appending keeps every proof above valid: they are for sizes up to the first 65,600 leaves.
        await test.ReopenAsync();
        var before = (await test.Store.Evidence.GetTreeHeadAsync("t")).TreeSize;
        for (var i = 0; i < 300; i++)
        {
            await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1_000_000 + i), i % 50 == 49 ? EvidenceDurability.Durable : EvidenceDurability.Acknowledged);
        }

        await test.Store.Evidence.FlushAsync();
        var head = await test.Store.Evidence.GetTreeHeadAsync("t");
        var report = await test.Store.Evidence.VerifyAsync("t");
        var all = ReadLeaves();

        Assert.Multiple(() =>
        {
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(head.TreeSize, Is.EqualTo(before + 300));
            Assert.That(head.RootHash.ToArray(), Is.EqualTo(MerkleTree.ComputeRoot([.. all.Select(l => l.LeafHash)])));
        });
    }

    private List<(string RecordId, byte[] LeafHash)> ReadLeaves()
    {
        using var db = test.OpenRaw();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT record_id, leaf FROM evidence_record WHERE tenant_no = 1 ORDER BY id";
        using var reader = command.ExecuteReader();
        var result = new List<(string RecordId, byte[] LeafHash)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), MerkleTree.HashLeaf(CompactJson.Decode((byte[])reader.GetValue(1)))));
        }

        return result;
    }
}
