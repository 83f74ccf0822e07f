using System.Text.Json;

namespace ARuntime.Sdk.Serialization;

/// <summary>Shared JSON settings for ARuntime contracts.</summary>
public static class ARuntimeJson
{
    /// <summary>Gets the serializer options of <see cref="ARuntimeJsonContext"/> (read-only; combine with your own resolver through <c>TypeInfoResolverChain</c>).</summary>
    public static JsonSerializerOptions Options => ARuntimeJsonContext.Default.Options;
}
