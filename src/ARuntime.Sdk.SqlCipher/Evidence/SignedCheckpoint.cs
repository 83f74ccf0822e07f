using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// A C2SP tlog-checkpoint: a signed note whose text is the log origin, the tree size and the base64 root hash, one per
/// line. <see cref="Note"/> is the exact signed text to export and keep outside the database.
/// </summary>
public sealed record SignedCheckpoint
{
    /// <summary>Gets the origin line (the log's identity; one log per tenant).</summary>
    public required string Origin { get; init; }

    /// <summary>Gets the tree size.</summary>
    public required long TreeSize { get; init; }

    /// <summary>Gets the RFC 6962 root hash at that size.</summary>
    public required ReadOnlyMemory<byte> RootHash { get; init; }

    /// <summary>Gets the complete signed note.</summary>
    public required string Note { get; init; }

    /// <summary>Returns the checkpoint body (the note text before signing) for an origin, size and root.</summary>
    /// <param name="origin">The origin.</param>
    /// <param name="treeSize">The tree size.</param>
    /// <param name="rootHash">The root hash.</param>
    /// <returns>The text, three lines each ending in a newline.</returns>
    public static string FormatBody(string origin, long treeSize, ReadOnlySpan<byte> rootHash) =>
        string.Create(CultureInfo.InvariantCulture, $"{origin}\n{treeSize}\n{Convert.ToBase64String(rootHash)}\n");

    /// <summary>Parses a signed checkpoint and verifies it was signed by one of <paramref name="verifiers"/>.</summary>
    /// <param name="note">The signed note.</param>
    /// <param name="verifiers">The trusted verifier keys.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="CheckpointVerificationException">The note is malformed, a known key's signature is invalid, or no trusted key signed it.</exception>
    public static SignedCheckpoint Parse(string note, IEnumerable<CheckpointVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(verifiers);
        foreach (var c in note)
        {
            if (c < 0x20 && c != '\n')
            {
                throw new CheckpointVerificationException("A signed note must not contain control characters other than newline.");
            }
        }

        if (!note.EndsWith('\n'))
        {
            throw new CheckpointVerificationException("A signed note ends with a newline.");
        }

        // The text is separated from the signatures by the last blank line; the text keeps its final newline.
        var separator = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new CheckpointVerificationException("The signed note has no blank line before its signatures.");
        }

        var text = note[..(separator + 1)];
        var signatureLines = note[(separator + 2)..].Split('\n', StringSplitOptions.None);
        var textBytes = Encoding.UTF8.GetBytes(text);
        var trusted = verifiers.ToList();
        var verified = false;
        foreach (var line in signatureLines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!line.StartsWith("\u2014 ", StringComparison.Ordinal))
            {
                throw new CheckpointVerificationException("A signature line starts with an em dash and a space.");
            }

            var rest = line[2..];
            var space = rest.LastIndexOf(' ');
            if (space <= 0)
            {
                throw new CheckpointVerificationException("A signature line is '— <key name> <base64 signature>'.");
            }

            var name = rest[..space];
            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(rest[(space + 1)..]);
            }
            catch (FormatException ex)
            {
                throw new CheckpointVerificationException("A signature is not valid base64.", ex);
            }

            if (blob.Length < 5)
            {
                throw new CheckpointVerificationException("A signature is shorter than its key ID.");
            }

            var keyId = BinaryPrimitives.ReadUInt32BigEndian(blob);
            foreach (var verifier in trusted)
            {
                if (verifier.KeyId != keyId || !string.Equals(verifier.KeyName, name, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!verifier.Verify(textBytes, blob.AsSpan(4)))
                {
                    throw new CheckpointVerificationException($"The signature of key '{name}' on the checkpoint is invalid: the checkpoint was altered or forged.");
                }

                verified = true;
            }
        }

        if (!verified)
        {
            throw new CheckpointVerificationException("No trusted key signed the checkpoint.");
        }

        var lines = text.Split('\n');
        if (lines.Length < 4 || lines[0].Length == 0)
        {
            throw new CheckpointVerificationException("A checkpoint text has an origin, a tree size and a root hash line.");
        }

        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || (lines[1].Length > 1 && lines[1][0] == '0'))
        {
            throw new CheckpointVerificationException("The checkpoint's tree size is not a decimal number without leading zeroes.");
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException ex)
        {
            throw new CheckpointVerificationException("The checkpoint's root hash is not valid base64.", ex);
        }

        if (root.Length != MerkleTree.HashSize)
        {
            throw new CheckpointVerificationException("The checkpoint's root hash is not 32 bytes.");
        }

        return new SignedCheckpoint { Origin = lines[0], TreeSize = size, RootHash = root, Note = note };
    }
}
