using System.Text.Json;
using ARuntime.Sdk.LlamaSharp.Grammar;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>Schemas for grammar tests: parsing helpers and the schema files under Grammar/Schemas.</summary>
internal static class TestSchemas
{
    private static readonly Lazy<string> Directory = new(FindDirectory);

    /// <summary>Gets the names of the schema files (without extension), sorted.</summary>
    public static IEnumerable<string> FileNames() =>
        System.IO.Directory.EnumerateFiles(Directory.Value, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    /// <summary>Loads a schema file by name.</summary>
    public static JsonElement Load(string name) => Parse(File.ReadAllText(Path.Combine(Directory.Value, name + ".json")));

    /// <summary>Parses schema text.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Compiles schema text with a fresh compiler.</summary>
    public static GbnfGrammar Compile(string json, JsonSchemaGrammarOptions? options = null) =>
        new JsonSchemaGrammarCompiler(options).Compile(Parse(json));

    /// <summary>Compiles schema text and returns a recognizer for the grammar.</summary>
    public static GbnfRecognizer Recognizer(string json, JsonSchemaGrammarOptions? options = null) => new(Compile(json, options));

    /// <summary>Compiles schema text and returns the exception it must throw.</summary>
    public static UnsupportedSchemaException Unsupported(string json, JsonSchemaGrammarOptions? options = null)
    {
        var compiler = new JsonSchemaGrammarCompiler(options);
        var schema = Parse(json);
        return Assert.Throws<UnsupportedSchemaException>(() => compiler.Compile(schema))!;
    }

    private static string FindDirectory()
    {
        // The schema files live next to the test sources; walk up from the build output to find them.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[]
            {
                Path.Combine(directory.FullName, "Grammar", "Schemas"),
                Path.Combine(directory.FullName, "tests", "ARuntime.Sdk.LlamaSharp.Tests", "Grammar", "Schemas"),
            })
            {
                if (File.Exists(Path.Combine(candidate, "01-person.json")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("Grammar/Schemas not found above " + AppContext.BaseDirectory);
    }
}
