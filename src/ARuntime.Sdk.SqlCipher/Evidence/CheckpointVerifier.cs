using System.Security.Cryptography;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Verifies ECDSA P-256 (type 0x02) signatures on C2SP signed notes, from a verifier key <c>name+keyid+base64(0x02 || SPKI)</c>.</summary>
public sealed class CheckpointVerifier
{
    private readonly ECDsa key;

    private CheckpointVerifier(string keyName, uint keyId, ECDsa key)
    {
        KeyName = keyName;
        KeyId = keyId;
        this.key = key;
    }

    /// <summary>Gets the key name.</summary>
    public string KeyName { get; }

    /// <summary>Gets the key ID.</summary>
    public uint KeyId { get; }

    /// <summary>Parses a verifier key.</summary>
    /// <param name="verifierKey">The verifier key text.</param>
    /// <returns>The verifier.</returns>
    /// <exception cref="FormatException">The text is not an ECDSA verifier key, or its key ID does not match the key.</exception>
    public static CheckpointVerifier Parse(string verifierKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(verifierKey);
        var parts = verifierKey.Split('+', 3);
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length != 8)
        {
            throw new FormatException("A verifier key has the form name+keyid(8 hex)+base64(key).");
        }

        if (!uint.TryParse(parts[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var keyId))
        {
            throw new FormatException("The verifier key's key ID is not 8 hexadecimal digits.");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException ex)
        {
            throw new FormatException("The verifier key's key is not valid base64.", ex);
        }

        if (blob.Length < 2 || blob[0] != CheckpointSigner.SignatureTypeEcdsa)
        {
            throw new FormatException("The verifier key is not an ECDSA (signature type 0x02) key.");
        }

        var spki = blob.AsSpan(1);
        if (CheckpointSigner.ComputeKeyId(spki) != keyId)
        {
            throw new FormatException("The verifier key's key ID does not match its public key.");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out _);
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new FormatException("The verifier key's public key is not a valid ECDSA SubjectPublicKeyInfo.", ex);
        }

        return new CheckpointVerifier(parts[0], keyId, key);
    }

    /// <summary>Verifies a signature over a note text.</summary>
    /// <param name="text">The note text bytes (UTF-8, including the final newline).</param>
    /// <param name="signature">The ASN.1 DER ECDSA signature (without the 4-byte key ID).</param>
    /// <returns><see langword="true"/> when the signature is valid.</returns>
    public bool Verify(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature)
    {
        try
        {
            return key.VerifyData(text, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
