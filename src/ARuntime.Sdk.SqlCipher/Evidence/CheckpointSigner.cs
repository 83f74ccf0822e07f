using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Signs checkpoints as C2SP signed notes with ECDSA P-256 over SHA-256 (signature type 0x02 of c2sp.org/signed-note:
/// the key ID is the first four bytes of SHA-256 of the DER-encoded SubjectPublicKeyInfo, the signature is ASN.1 DER).
/// Uses System.Security.Cryptography only; the key comes from the host.
/// </summary>
public sealed class CheckpointSigner
{
    /// <summary>The c2sp.org/signed-note signature type of ECDSA signatures.</summary>
    public const byte SignatureTypeEcdsa = 0x02;

    private readonly ECDsa key;

    private CheckpointSigner(string keyName, ECDsa key, byte[] publicKey)
    {
        KeyName = keyName;
        this.key = key;
        PublicKey = publicKey;
        KeyId = ComputeKeyId(publicKey);
        VerifierKey = $"{keyName}+{KeyId:x8}+{Convert.ToBase64String([SignatureTypeEcdsa, .. publicKey])}";
    }

    /// <summary>Gets the key name written in signature lines.</summary>
    public string KeyName { get; }

    /// <summary>Gets the 32-bit key ID.</summary>
    public uint KeyId { get; }

    /// <summary>Gets the DER-encoded SubjectPublicKeyInfo of the public key.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>Gets the verifier key in the signed-note text form <c>name+keyid+base64(0x02 || SPKI)</c>, to give to verifiers.</summary>
    public string VerifierKey { get; }

    /// <summary>Creates a signer.</summary>
    /// <param name="keyName">The key name: non-empty, no spaces, no '+' (a schema-less URL is recommended).</param>
    /// <param name="key">An ECDSA NIST P-256 private key; the host keeps ownership.</param>
    /// <returns>The signer.</returns>
    /// <exception cref="ArgumentException">The name is not a valid key name, or the key is not a P-256 private key.</exception>
    public static CheckpointSigner Create(string keyName, ECDsa key)
    {
        ValidateKeyName(keyName);
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256" or "prime256v1"))
        {
            throw new ArgumentException("The checkpoint signing key must be an ECDSA NIST P-256 key.", nameof(key));
        }

        return new CheckpointSigner(keyName, key, key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Returns the verifier for this signer's public key.</summary>
    /// <returns>The verifier.</returns>
    public CheckpointVerifier CreateVerifier() => CheckpointVerifier.Parse(VerifierKey);

    /// <summary>Signs a note text and returns the complete signed note (text, blank line, signature line).</summary>
    /// <param name="text">The note text, ending in a newline.</param>
    /// <returns>The signed note.</returns>
    public string SignNote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.EndsWith('\n'))
        {
            throw new ArgumentException("A note text ends with a newline.", nameof(text));
        }

        var signature = key.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var blob = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
        signature.CopyTo(blob, 4);
        return $"{text}\n\u2014 {KeyName} {Convert.ToBase64String(blob)}\n";
    }

    internal static uint ComputeKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(subjectPublicKeyInfo));

    internal static void ValidateKeyName(string keyName)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        foreach (var c in keyName)
        {
            if (char.IsWhiteSpace(c) || c == '+' || char.IsControl(c))
            {
                throw new ArgumentException($"A signed-note key name must not contain spaces, control characters or '+': '{keyName}'.", nameof(keyName));
            }
        }
    }
}
