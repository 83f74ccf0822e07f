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

    /// <summary>
    /// Digests a conversation exactly as <see cref="Digest"/> would digest its flattened text (<c>Role: content\n</c> per
    /// message), without building that text.
    /// </summary>
    public PayloadDigest DigestConversation(string name, IReadOnlyList<AgentMessage> messages, DataClassification? classification, Secrets.SecretRedactor? redactor = null)
    {
        if (captureRaw)
        {
            return Digest(name, Flatten(messages), classification, redactor);
        }

        using var hash = key is null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        long length = 0;
        try
        {
            foreach (var message in messages)
            {
                Append(hash, RoleName(message.Role), ref buffer, ref length);
                Append(hash, ": ", ref buffer, ref length);
                Append(hash, message.Content, ref buffer, ref length);
                Append(hash, "\n", ref buffer, ref length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new PayloadDigest
        {
            Name = name,
            Algorithm = key is null ? "sha256" : "hmac-sha256",
            Digest = Convert.ToHexStringLower(digest),
            Length = length,
            Classification = classification ?? DataClassification.Unlabelled,
        };
    }

    /// <summary>The conversation as one text, the form its digest is defined over.</summary>
    public static string Flatten(IReadOnlyList<AgentMessage> messages)
    {
        var builder = new StringBuilder();
        foreach (var message in messages)
        {
            builder.Append(RoleName(message.Role)).Append(": ").Append(message.Content).Append('\n');
        }

        return builder.ToString();
    }

    private static string RoleName(MessageRole role) => role switch
    {
        MessageRole.System => "System",
        MessageRole.User => "User",
        MessageRole.Assistant => "Assistant",
        MessageRole.Tool => "Tool",
        _ => role.ToString(),
    };

    private static void Append(IncrementalHash hash, string text, ref byte[] buffer, ref long length)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer.Length < max)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(max);
        }

        var written = Encoding.UTF8.GetBytes(text, buffer);
        hash.AppendData(buffer, 0, written);
        length += written;
    }
}
