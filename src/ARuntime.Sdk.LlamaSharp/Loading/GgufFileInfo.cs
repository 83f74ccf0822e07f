using System.Globalization;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>What <see cref="GgufReader"/> learned from a GGUF file's header, metadata and tensor table.</summary>
internal sealed class GgufFileInfo
{
    /// <summary>Gets the GGUF format version (2 or 3).</summary>
    public required uint Version { get; init; }

    /// <summary>Gets the file size in bytes.</summary>
    public required long FileLength { get; init; }

    /// <summary>Gets the number of tensors.</summary>
    public required ulong TensorCount { get; init; }

    /// <summary>Gets the total number of tensor elements (llama.cpp's parameter count).</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Gets the size the tensor data requires (start of data plus the furthest tensor end), when every tensor type is known.</summary>
    public required long? RequiredLength { get; init; }

    /// <summary>Gets the metadata: numbers as <see cref="long"/>, <see cref="ulong"/> or <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, or <see cref="GgufArray"/>.</summary>
    public required IReadOnlyDictionary<string, object> Metadata { get; init; }

    /// <summary>Gets <c>general.architecture</c>.</summary>
    public string? Architecture => GetString("general.architecture");

    /// <summary>Gets a string value, or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public string? GetString(string key) => Metadata.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>Gets an integer value, or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public long? GetInteger(string key) => Metadata.TryGetValue(key, out var value)
        ? value switch
        {
            long l => l,
            ulong u when u <= long.MaxValue => (long)u,
            _ => null,
        }
        : null;

    /// <summary>Gets the length of an array value, or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The length.</returns>
    public long? GetArrayLength(string key) =>
        Metadata.TryGetValue(key, out var value) && value is GgufArray array && array.Length <= long.MaxValue ? (long)array.Length : null;

    /// <summary>Formats a metadata value for display.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Format(object value) => value switch
    {
        GgufArray array => string.Create(CultureInfo.InvariantCulture, $"[{array.ElementType} x {array.Length}]"),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
