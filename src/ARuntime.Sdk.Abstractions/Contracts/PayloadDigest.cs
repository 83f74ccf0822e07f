namespace ARuntime.Sdk.Contracts;

/// <summary>
/// A minimized reference to a payload (prompt, completion, tool arguments or result): its digest, size and classification.
/// The raw content is present only when the host opted in to capturing it.
/// </summary>
public sealed record PayloadDigest
{
    /// <summary>Gets what the payload is (for example <c>prompt</c>, <c>completion</c>, <c>tool.arguments</c>, <c>tool.result</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the digest algorithm: <c>sha256</c>, or <c>hmac-sha256</c> when the host configured a payload hashing key.</summary>
    public string Algorithm { get; init => field = value ?? "sha256"; } = "sha256";

    /// <summary>Gets the lowercase hexadecimal digest of the payload's UTF-8 bytes.</summary>
    public required string Digest { get; init; }

    /// <summary>Gets the payload size in UTF-8 bytes.</summary>
    public required long Length { get; init; }

    /// <summary>Gets the payload's classification.</summary>
    public DataClassification Classification { get; init => field = value ?? DataClassification.Unlabelled; } = DataClassification.Unlabelled;

    /// <summary>Gets the raw content, only when the host opted in to capturing it (secrets are redacted even then).</summary>
    public string? Content { get; init; }
}
