using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

/// <summary>
/// The grammar compiler's test schemas (tests/ARuntime.Sdk.LlamaSharp.Tests/Grammar/Schemas), reused here to run every
/// one of them through the engine on real llama.cpp.
/// </summary>
internal static class SchemaFiles
{
    private static readonly Lazy<string?> Directory = new(Find);

    /// <summary>Gets the schema names (file names without extension), sorted; empty when the folder is absent.</summary>
    public static IEnumerable<string> Names =>
        Directory.Value is { } directory
            ? System.IO.Directory.EnumerateFiles(directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!
            : [];

    /// <summary>Loads a schema.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The schema.</returns>
    public static JsonElement Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.Value!, name + ".json")));
        return document.RootElement.Clone();
    }

    private static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[]
            {
                Path.Combine(directory.FullName, "Grammar", "Schemas"),
                Path.Combine(directory.FullName, "tests", "ARuntime.Sdk.LlamaSharp.Tests", "Grammar", "Schemas"),
            })
            {
                if (System.IO.Directory.Exists(candidate) && System.IO.Directory.EnumerateFiles(candidate, "*.json").Any())
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
