using System.Buffers;
using System.Text.Json;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Secrets;

/// <summary>
/// Removes the values of credentials resolved during a request from anything a model, a log, a store or evidence could see
/// (defence in depth: a tool that echoes its credential must not leak it). JSON is redacted structurally — every string value
/// and property name is unescaped, redacted and re-encoded — so a secret hidden behind JSON escapes (<c>\u002B</c>,
/// <c>\"</c>) is found as well.
/// </summary>
internal sealed class SecretRedactor
{
    private readonly List<SecretValue> secrets = [];
    private readonly HashSet<string> redacted = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public bool IsEmpty
    {
        get
        {
            lock (gate)
            {
                return secrets.Count == 0;
            }
        }
    }

    /// <summary>Gets how many distinct credentials were found, and redacted, in some text (a safety signal for evaluation).</summary>
    public int RedactedSecretCount
    {
        get
        {
            lock (gate)
            {
                return redacted.Count;
            }
        }
    }

    public void Track(SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        lock (gate)
        {
            foreach (var known in secrets)
            {
                if (ReferenceEquals(known, secret) || string.Equals(known.Reveal(), secret.Reveal(), StringComparison.Ordinal))
                {
                    return;
                }
            }

            // Longest first, so a secret that contains another is replaced whole.
            secrets.Add(secret);
            secrets.Sort(static (a, b) => b.Reveal().Length.CompareTo(a.Reveal().Length));
        }
    }

    /// <summary>Returns <paramref name="text"/> with every tracked secret value replaced by <c>[REDACTED:reference]</c>.</summary>
    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        lock (gate)
        {
            foreach (var secret in secrets)
            {
                var value = secret.Reveal();
                if (text.Contains(value, StringComparison.Ordinal))
                {
                    text = text.Replace(value, Placeholder(secret), StringComparison.Ordinal);
                    redacted.Add(secret.Reference);
                }
            }
        }

        return text;
    }

    /// <summary>Returns whether <paramref name="text"/> contains a tracked secret value.</summary>
    public bool Contains(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        lock (gate)
        {
            foreach (var secret in secrets)
            {
                if (text.Contains(secret.Reveal(), StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Returns <paramref name="element"/> with tracked secrets removed from every string and property name (the same element when none occurs).</summary>
    public JsonElement Redact(JsonElement element)
    {
        if (IsEmpty || !ContainsSecret(element))
        {
            return element;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRedacted(writer, element);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Returns <paramref name="result"/> with tracked secrets removed from its output, error and changed resources (the same result when none occurs).</summary>
    public ToolResult Redact(ToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (IsEmpty)
        {
            return result;
        }

        var outputHasSecret = result.Output is { } output && ContainsSecret(output);
        var errorHasSecret = Contains(result.Error);
        var changedHasSecret = result.ChangedResources.Any(Contains);
        if (!outputHasSecret && !errorHasSecret && !changedHasSecret)
        {
            return result;
        }

        return result with
        {
            Output = outputHasSecret ? Redact(result.Output!.Value) : result.Output,
            Error = errorHasSecret ? Redact(result.Error!) : result.Error,
            ChangedResources = changedHasSecret ? [.. result.ChangedResources.Select(Redact)] : result.ChangedResources,
        };
    }

    private bool ContainsSecret(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Contains(element.GetString());
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (Contains(property.Name) || ContainsSecret(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (ContainsSecret(item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private void WriteRedacted(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteStringValue(Redact(element.GetString()!));
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(Redact(property.Name));
                    WriteRedacted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteRedacted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static string Placeholder(SecretValue secret) => "[REDACTED:" + secret.Reference + "]";
}
