using ARuntime.Sdk.SqlCipher.Evidence;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// The RFC 6962 reference vectors used by the certificate-transparency implementations (8 leaves, their roots, and their
/// inclusion and consistency proofs), reproduced exactly.
/// </summary>
public sealed class MerkleTreeVectorTests
{
    private static readonly byte[][] Leaves =
    [
        [],
        H("00"),
        H("10"),
        H("2021"),
        H("3031"),
        H("40414243"),
        H("5051525354555657"),
        H("606162636465666768696a6b6c6d6e6f"),
    ];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    // (1-based leaf, tree size, audit path)
    private static readonly (int Leaf, int Size, string[] Path)[] InclusionVectors =
    [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    ];

    private static readonly (int First, int Second, string[] Proof)[] ConsistencyVectors =
    [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ];

    private static List<byte[]> LeafHashes => [.. Leaves.Select(l => MerkleTree.HashLeaf(l))];

    [Test]
    public void The_hashes_are_the_RFC_6962_leaf_node_and_empty_tree_hashes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Hex(MerkleTree.EmptyRoot.ToArray()), Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
            Assert.That(Hex(MerkleTree.ComputeRoot([])), Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
            Assert.That(Hex(MerkleTree.HashLeaf([])), Is.EqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
            Assert.That(Hex(MerkleTree.HashLeaf("L123456"u8)), Is.EqualTo("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
            Assert.That(Hex(MerkleTree.HashChildren("N123"u8, "N456"u8)), Is.EqualTo("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"));
        });
    }

    [Test]
    public void Roots_of_every_prefix_of_the_reference_leaves_match()
    {
        var hashes = LeafHashes;
        for (var size = 1; size <= 8; size++)
        {
            Assert.That(Hex(MerkleTree.ComputeRoot(hashes.Take(size).ToList())), Is.EqualTo(Roots[size - 1]), $"root of {size} leaves");
        }
    }

    [Test]
    public void The_compact_range_the_writer_keeps_yields_the_same_roots_and_nodes()
    {
        var range = CompactRange.Empty();
        var completed = new List<(int Level, long Index, byte[] Hash)>();
        var hashes = LeafHashes;
        for (var i = 0; i < 8; i++)
        {
            range.Append(hashes[i], completed);
            Assert.That(Hex(range.Root()), Is.EqualTo(Roots[i]), $"root after {i + 1} appends");
        }

        var source = new InMemorySubtreeSource(hashes);
        Assert.That(completed, Has.Count.EqualTo(7), "a perfect tree of 8 leaves has 7 interior nodes");
        foreach (var (level, index, hash) in completed)
        {
            Assert.That(Hex(hash), Is.EqualTo(Hex(source.GetPerfectSubtree(level, index))));
        }
    }

    [TestCaseSource(nameof(InclusionCases))]
    public void Inclusion_proofs_reproduce_the_reference_paths_and_verify(int leaf, int size, string[] path)
    {
        var hashes = LeafHashes;
        var proof = MerkleTree.InclusionProof(hashes, leaf - 1, size);
        Assert.Multiple(() =>
        {
            Assert.That(proof.Select(Hex), Is.EqualTo(path));
            Assert.That(MerkleTree.VerifyInclusion(leaf - 1, size, hashes[leaf - 1], proof, H(Roots[size - 1])), Is.True);
        });
    }

    [TestCaseSource(nameof(ConsistencyCases))]
    public void Consistency_proofs_reproduce_the_reference_proofs_and_verify(int first, int second, string[] expected)
    {
        var proof = MerkleTree.ConsistencyProof(LeafHashes, first, second);
        Assert.Multiple(() =>
        {
            Assert.That(proof.Select(Hex), Is.EqualTo(expected));
            Assert.That(MerkleTree.VerifyConsistency(first, second, H(Roots[first - 1]), H(Roots[second - 1]), proof), Is.True);
        });
    }

    [TestCaseSource(nameof(InclusionCases))]
    public void Altered_inclusion_proofs_are_rejected(int leaf, int size, string[] path)
    {
        var hashes = LeafHashes;
        var proof = path.Select(H).ToList();
        var root = H(Roots[size - 1]);
        var leafHash = hashes[leaf - 1];
        var index = leaf - 1;
        Assert.Multiple(() =>
        {
            Assert.That(MerkleTree.VerifyInclusion(index + 1, size, leafHash, proof, root), Is.False, "wrong index");
            Assert.That(MerkleTree.VerifyInclusion(index, size * 2, leafHash, proof, root), Is.False, "wrong size");
            Assert.That(MerkleTree.VerifyInclusion(index, size, MerkleTree.HashLeaf("other"u8), proof, root), Is.False, "wrong leaf");
            Assert.That(MerkleTree.VerifyInclusion(index, size, leafHash, [.. proof, root], root), Is.False, "trailing garbage");
            Assert.That(MerkleTree.VerifyInclusion(index, size, leafHash, proof, MerkleTree.EmptyRoot.Span), Is.False, "wrong root");
            for (var i = 0; i < proof.Count; i++)
            {
                var altered = proof.Select(p => (byte[])p.Clone()).ToList();
                altered[i][0] ^= 8;
                Assert.That(MerkleTree.VerifyInclusion(index, size, leafHash, altered, root), Is.False, $"bit flipped in proof[{i}]");
            }

            if (proof.Count > 0)
            {
                Assert.That(MerkleTree.VerifyInclusion(index, size, leafHash, proof.Take(proof.Count - 1).ToList(), root), Is.False, "removed component");
            }
        });
    }

    [TestCaseSource(nameof(ConsistencyCases))]
    public void Altered_consistency_proofs_are_rejected(int first, int second, string[] expected)
    {
        if (expected.Length == 0)
        {
            Assert.That(MerkleTree.VerifyConsistency(first, second, H(Roots[first - 1]), H(Roots[1]), []), Is.EqualTo(first == 2), "equal sizes need equal roots");
            return;
        }

        var proof = expected.Select(H).ToList();
        var root1 = H(Roots[first - 1]);
        var root2 = H(Roots[second - 1]);
        Assert.Multiple(() =>
        {
            Assert.That(MerkleTree.VerifyConsistency(first - 1, second, root1, root2, proof), Is.False, "size1 - 1");
            Assert.That(MerkleTree.VerifyConsistency(first, second * 2, root1, root2, proof), Is.False, "size2 * 2");
            Assert.That(MerkleTree.VerifyConsistency(first, second, root2, root1, proof), Is.False, "swapped roots");
            Assert.That(MerkleTree.VerifyConsistency(first, second, root1, root2, []), Is.False, "empty proof");
            Assert.That(MerkleTree.VerifyConsistency(first, second, root1, root2, proof.Take(proof.Count - 1).ToList()), Is.False, "truncated");
            Assert.That(MerkleTree.VerifyConsistency(first, second, root1, root2, [.. proof, root1]), Is.False, "trailing root");
            for (var i = 0; i < proof.Count; i++)
            {
                var altered = proof.Select(p => (byte[])p.Clone()).ToList();
                altered[i][0] ^= 16;
                Assert.That(MerkleTree.VerifyConsistency(first, second, root1, root2, altered), Is.False, $"bit flipped in proof[{i}]");
            }
        });
    }

    [Test]
    public void Every_proof_over_trees_up_to_70_leaves_verifies()
    {
        var hashes = Enumerable.Range(0, 70).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i))).ToList();
        var roots = Enumerable.Range(0, 71).Select(n => MerkleTree.ComputeRoot(hashes.Take(n).ToList())).ToList();
        for (var size = 1; size <= 70; size++)
        {
            for (var leaf = 0; leaf < size; leaf++)
            {
                Assert.That(MerkleTree.VerifyInclusion(leaf, size, hashes[leaf], MerkleTree.InclusionProof(hashes, leaf, size), roots[size]), Is.True, $"inclusion {leaf}/{size}");
            }

            for (var first = 0; first <= size; first++)
            {
                Assert.That(MerkleTree.VerifyConsistency(first, size, roots[first], roots[size], MerkleTree.ConsistencyProof(hashes, first, size)), Is.True, $"consistency {first}->{size}");
            }
        }
    }

    private static IEnumerable<TestCaseData> InclusionCases() => InclusionVectors.Select(v => new TestCaseData(v.Leaf, v.Size, v.Path).SetArgDisplayNames($"leaf {v.Leaf} of {v.Size}"));

    private static IEnumerable<TestCaseData> ConsistencyCases() => ConsistencyVectors.Select(v => new TestCaseData(v.First, v.Second, v.Proof).SetArgDisplayNames($"{v.First} to {v.Second}"));

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
