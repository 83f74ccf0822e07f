using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// Finds the model files tests run on: the real trained <c>stories260K.gguf</c> when the machine has it, and cached
/// synthetic models written by <see cref="SyntheticGgufBuilder"/> everywhere.
/// </summary>
public static class TestModels
{
    /// <summary>The environment variable that, when it names an existing file, overrides the search for stories260K.</summary>
    public const string ModelPathEnvironmentVariable = "ARUNTIME_TEST_MODEL";

    /// <summary>The directory under the temporary directory where <see cref="GetSynthetic"/> caches models by default.</summary>
    public const string DefaultCacheDirectoryName = "aruntime-synthetic-models";

    private static readonly string[] Stories260KRelativePath = ["shared", "models", "stories260K.gguf"];

    /// <summary>
    /// Finds the real 260K-parameter TinyStories model: the file named by <see cref="ModelPathEnvironmentVariable"/> if
    /// it exists, else the first <c>shared/models/stories260K.gguf</c> found walking up from
    /// <see cref="AppContext.BaseDirectory"/> and then from the current directory.
    /// </summary>
    /// <returns>The full path of the model, or <see langword="null"/> when it is absent (tests should then skip, or use a
    /// synthetic model).</returns>
    public static string? FindStories260K()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ModelPathEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return FindUpwards(AppContext.BaseDirectory) ?? FindUpwards(CurrentDirectoryOrNull());
    }

    /// <summary>
    /// Returns the path of a synthetic model file for <paramref name="spec"/>, writing it on first use and reusing it
    /// afterwards. The file name includes a hash of the spec and of <see cref="SyntheticGgufBuilder.FormatRevision"/>, and
    /// the file is written under a temporary name and then moved into place, so concurrent test processes never see a
    /// partial file. Do not delete or modify the returned file; other tests share it.
    /// </summary>
    /// <param name="spec">The model.</param>
    /// <param name="cacheDirectory">Where to cache models; by default <see cref="DefaultCacheDirectoryName"/> under the
    /// temporary directory.</param>
    /// <returns>The full path of the model file.</returns>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is invalid; the exception names the property.</exception>
    public static string GetSynthetic(SyntheticModelSpec spec, string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();

        var directory = Path.GetFullPath(cacheDirectory ?? Path.Combine(Path.GetTempPath(), DefaultCacheDirectoryName));
        var path = Path.Combine(directory, $"{SafeFileName(spec.Name)}-{CacheKey(spec)}.gguf");
        if (File.Exists(path))
        {
            return path;
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            SyntheticGgufBuilder.Write(spec, temporary);
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process wrote the same spec first; its file has identical bytes.
            }
        }
        finally
        {
            File.Delete(temporary);
        }

        return path;
    }

    private static string? FindUpwards(string? start)
    {
        for (var directory = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine([directory.FullName, .. Stories260KRelativePath]);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? CurrentDirectoryOrNull()
    {
        try
        {
            return Directory.GetCurrentDirectory();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string CacheKey(SyntheticModelSpec spec)
    {
        // A canonical, length-prefixed rendering of every property that affects the bytes.
        var text = new StringBuilder();
        void Add(string? value) => text.Append(value?.Length ?? -1).Append(':').Append(value).Append('|');
        void AddNumber(long value) => Add(value.ToString(CultureInfo.InvariantCulture));

        AddNumber(SyntheticGgufBuilder.FormatRevision);
        AddNumber(spec.Layers);
        AddNumber(spec.EmbeddingLength);
        AddNumber(spec.HeadCount);
        AddNumber(spec.KvHeadCount);
        AddNumber(spec.FeedForwardLength);
        AddNumber(spec.ContextLength);
        AddNumber(spec.ExtraVocabulary);
        AddNumber(spec.Seed);
        AddNumber((long)spec.WeightType);
        AddNumber(spec.TiedEmbeddings ? 1 : 0);
        Add(spec.Name);
        Add(spec.ChatTemplate);
        AddNumber(spec.SpecialTokens.Count);
        foreach (var token in spec.SpecialTokens)
        {
            Add(token);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static string SafeFileName(string name)
    {
        var safe = new StringBuilder(Math.Min(name.Length, 48));
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, 48)))
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return safe.ToString();
    }
}
