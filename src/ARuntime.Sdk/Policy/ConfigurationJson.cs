using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Turns a Microsoft.Extensions.Configuration section back into JSON: a section whose children are keyed 0, 1, 2, … becomes
/// an array, other sections objects, and values strings (configuration keeps no types; the policy reader accepts strings
/// wherever a number or Boolean is expected).
/// </summary>
internal static class ConfigurationJson
{
    public static JsonElement ToJson(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var node = Convert(configuration.GetChildren().ToList(), configuration is IConfigurationSection section ? section.Value : null) ?? new JsonObject();
        return JsonSerializer.SerializeToElement(node, PolicyJsonContext.Default.JsonNode);
    }

    private static JsonNode? Convert(List<IConfigurationSection> children, string? value)
    {
        if (children.Count == 0)
        {
            return value is null ? null : JsonValue.Create(value);
        }

        var indexed = children.Select(c => (Section: c, Index: int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)).ToList();
        if (indexed.All(c => c.Index >= 0) && indexed.Select(c => c.Index).Order().SequenceEqual(Enumerable.Range(0, indexed.Count)))
        {
            var array = new JsonArray();
            foreach (var (section, _) in indexed.OrderBy(c => c.Index))
            {
                array.Add(Convert(section.GetChildren().ToList(), section.Value));
            }

            return array;
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = Convert(child.GetChildren().ToList(), child.Value);
        }

        return obj;
    }
}
