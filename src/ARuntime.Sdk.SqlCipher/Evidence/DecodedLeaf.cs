using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>A decoded leaf.</summary>
/// <param name="Record">The record, without payloads.</param>
/// <param name="Index">The index the leaf claims.</param>
/// <param name="Commitments">The payload commitments.</param>
internal sealed record DecodedLeaf(EvidenceRecord Record, long Index, IReadOnlyList<byte[]> Commitments);
