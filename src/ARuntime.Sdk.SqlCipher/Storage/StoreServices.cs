using ARuntime.Sdk.SqlCipher.Evidence;
using ARuntime.Sdk.SqlCipher.Tenants;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>What the store's parts share: options, time, the writer, the readers, the keyring and the checkpoint keys.</summary>
internal sealed class StoreServices
{
    public required SqlCipherStoreOptions Options { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    public required StoreWriter Writer { get; init; }

    public required ReaderPool Readers { get; init; }

    public required TenantKeyring Keyring { get; init; }

    public required CheckpointSigner Signer { get; init; }

    public required IReadOnlyList<CheckpointVerifier> Verifiers { get; init; }

    public required StoreHealthTracker Health { get; init; }

    /// <summary>Gets the acknowledged records whose batch failed, waiting to be handed back by the next flush.</summary>
    public required UnwrittenEvidence Unwritten { get; init; }

    public required bool Encrypted { get; init; }

    /// <summary>Validates a tenant id argument.</summary>
    public static void ValidateTenant(string tenantId, string parameterName = "tenantId")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId, parameterName);
    }
}
