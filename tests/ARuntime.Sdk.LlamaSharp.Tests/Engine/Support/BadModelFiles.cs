using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

/// <summary>Writes broken model files into a temporary directory deleted on dispose.</summary>
internal sealed class BadModelFiles : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("aruntime-bad-models-").FullName;

    /// <summary>Gets a path where no file exists.</summary>
    public string Missing => Path.Combine(directory, "missing.gguf");

    /// <summary>Writes a text file with a .gguf name.</summary>
    /// <returns>The path.</returns>
    public string NotGguf()
    {
        var path = Path.Combine(directory, "not-a-model.gguf");
        File.WriteAllText(path, "This is a README, not a model.\n" + new string('x', 4096));
        return path;
    }

    /// <summary>Writes the first <paramref name="fraction"/> of <paramref name="source"/>.</summary>
    /// <param name="source">A valid model.</param>
    /// <param name="fraction">How much to keep.</param>
    /// <returns>The path.</returns>
    public string Truncated(string source, double fraction)
    {
        var bytes = File.ReadAllBytes(source);
        var path = Path.Combine(directory, $"truncated-{fraction:0.###}.gguf");
        File.WriteAllBytes(path, bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray());
        return path;
    }

    /// <summary>Copies a valid llama model with its <c>general.architecture</c> value changed to an architecture of the same length llama.cpp does not know.</summary>
    /// <param name="source">A valid llama-architecture model.</param>
    /// <param name="architecture">A five-letter architecture name.</param>
    /// <returns>The path.</returns>
    public string WithArchitecture(string source, string architecture = "zorba")
    {
        var bytes = File.ReadAllBytes(source);
        var key = Encoding.UTF8.GetBytes("general.architecture");
        var at = bytes.AsSpan().IndexOf(key);
        Assert.That(at, Is.GreaterThan(0), "the model declares general.architecture");

        // key, then value type (uint32 = 8, string), then length (uint64 = 5), then "llama".
        var value = at + key.Length + 4 + 8;
        Assert.That(Encoding.UTF8.GetString(bytes, value, 5), Is.EqualTo("llama"));
        Encoding.UTF8.GetBytes(architecture).CopyTo(bytes, value);
        var path = Path.Combine(directory, $"arch-{architecture}.gguf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a memory map may still hold a file on some systems.
        }
    }
}
