using System.Text;
using System.Text.Json;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// Append-only JSON-lines files, fsynced on every write: the smallest durable store that survives a SIGKILL. Used by the
/// crash scenarios as the request journal and the evidence sink. A torn last line (a write cut off by the kill) is ignored.
/// </summary>
internal sealed class FailuresJsonLinesFile(string path)
{
    private readonly Lock gate = new();

    public void Append(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json + "\n");
        lock (gate)
        {
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
    }

    public IEnumerable<JsonElement> ReadAll()
    {
        string[] lines;
        lock (gate)
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        }

        foreach (var line in lines)
        {
            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                continue;
            }

            yield return element;
        }
    }
}
