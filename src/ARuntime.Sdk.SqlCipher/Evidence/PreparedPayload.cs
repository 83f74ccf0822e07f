namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>A payload sealed for storage: its position in the record, an optional subject (for erasure by subject) and the sealed salt and canonical payload.</summary>
/// <param name="Index">The payload's position.</param>
/// <param name="Subject">What the payload is about (for example <c>memory:&lt;id&gt;</c>), so erasing the subject erases it.</param>
/// <param name="Sealed">AES-256-GCM of salt || canonical payload under the tenant's data key.</param>
internal sealed record PreparedPayload(int Index, string? Subject, byte[] Sealed);
