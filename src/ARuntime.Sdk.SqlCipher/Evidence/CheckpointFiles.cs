namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>Exported checkpoints: one file per tenant, <c>&lt;escaped tenant id&gt;.checkpoint</c>, replaced atomically.</summary>
internal static class CheckpointFiles
{
    public const string Extension = ".checkpoint";

    public static string PathFor(string directory, string tenantId) => Path.Combine(directory, Uri.EscapeDataString(tenantId) + Extension);

    public static void Write(string directory, string tenantId, string note)
    {
        Directory.CreateDirectory(directory);
        var path = PathFor(directory, tenantId);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(note));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static IEnumerable<string> ReadAll(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*" + Extension))
        {
            yield return File.ReadAllText(file);
        }
    }
}
