using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ARuntime.Sdk.SqlCipher.Tenants;

/// <summary>Seals contract JSON (source-generated serialization) under a tenant's data key, and opens it.</summary>
internal static class SealedJson
{
    public static byte[] Seal<T>(TenantDataKey key, T value, JsonTypeInfo<T> typeInfo, string context) =>
        key.Seal(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), context);

    public static T Open<T>(TenantDataKey? key, string tenantId, byte[] sealedValue, JsonTypeInfo<T> typeInfo, string context)
    {
        if (key is null)
        {
            throw new TenantDataUnavailableException($"Tenant '{tenantId}''s data key is not in the keyring: the tenant was erased, or this is not the keyring the data was written with.");
        }

        return JsonSerializer.Deserialize(key.Open(sealedValue, context), typeInfo)
            ?? throw new TenantDataUnavailableException($"A sealed value of tenant '{tenantId}' ({context}) is empty.");
    }
}
