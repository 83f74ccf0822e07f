using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Evidence;

/// <summary>Turns payloads into minimized <see cref="PayloadDigest"/>s: digest, size and classification, raw text only when the host opted in.</summary>
internal sealed class PayloadHasher
{
    private readonly byte[]? key;
    private readonly bool captureRaw;

    public PayloadHasher(EvidenceOptions options)
    {
        key = options.PayloadHashKey.IsEmpty ? null : options.PayloadHashKey.ToArray();
        captureRaw = options.CaptureRawContent;
    }

    public bool CapturesRawContent => captureRaw;

    public PayloadDigest Digest(string name, string payload, DataClassification? classification, Secrets.SecretRedactor? redactor = null)
    {
        var byteCount = Encoding.UTF8.GetByteCount(payload);
        var rented = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            var written = Encoding.UTF8.GetBytes(payload, rented);
            Span<byte> hash = stackalloc byte[32];
            if (key is null)
            {
                SHA256.HashData(rented.AsSpan(0, written), hash);
            }
            else
            {
                HMACSHA256.HashData(key, rented.AsSpan(0, written), hash);
            }

            return new PayloadDigest
            {
                Name = name,
                Algorithm = key is null ? "sha256" : "hmac-sha256",
                Digest = Convert.ToHexStringLower(hash),
                Length = byteCount,
                Classification = classification ?? DataClassification.Unlabelled,
                Content = captureRaw ? redactor?.Redact(payload) ?? payload : null,
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
