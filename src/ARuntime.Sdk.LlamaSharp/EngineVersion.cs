using System.Reflection;

namespace ARuntime.Sdk.LlamaSharp;

/// <summary>The versions the engine reports: its own package and the LLamaSharp (and so llama.cpp) build it runs on.</summary>
internal static class EngineVersion
{
    /// <summary>The engine name.</summary>
    public const string EngineName = "llama.cpp";

    /// <summary>Gets the LLamaSharp version.</summary>
    public static string LlamaSharp { get; } = InformationalVersion(typeof(LLama.LLamaWeights).Assembly);

    /// <summary>Gets this package's version.</summary>
    public static string Package { get; } = InformationalVersion(typeof(EngineVersion).Assembly);

    /// <summary>Gets the version string recorded in metadata and results.</summary>
    public static string Full { get; } = $"LLamaSharp {LlamaSharp}; ARuntime.Sdk.LlamaSharp {Package}";

    private static string InformationalVersion(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? assembly.GetName().Version?.ToString()
                      ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }
}
