using System.Collections.Frozen;
using System.Text;
using ARuntime.Sdk.Inference;

namespace ARuntime.Sdk.Telemetry;

/// <summary>Low-cardinality attribute values: enum members in snake_case (as OpenTelemetry values are written) and finish reasons.</summary>
internal static class TelemetryValues
{
    /// <summary>Returns the member's name in snake_case (<c>ToolExecution</c> → <c>tool_execution</c>), computed once per member.</summary>
    public static string Snake<T>(T value)
        where T : struct, Enum =>
        Names<T>.Map.TryGetValue(value, out var name) ? name : ToSnake(value.ToString());

    /// <summary>Maps a stop reason to the finish reasons the conventions know (<c>stop</c>, <c>length</c>, <c>content_filter</c>, <c>tool_call</c>, <c>error</c>).</summary>
    public static string FinishReason(InferenceResult result) => result.StopReason switch
    {
        _ when result.ToolCalls.Count > 0 => "tool_call",
        StopReason.EndOfSequence or StopReason.StopSequence or StopReason.SchemaComplete => "stop",
        StopReason.MaxTokens => "length",
        StopReason.Refusal => "content_filter",
        StopReason.Error => "error",
        StopReason.Deadline => "timeout",
        StopReason.Cancelled => "cancelled",
        _ => "stop",
    };

    internal static string ToSnake(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1]) && char.IsUpper(pascal[i - 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static class Names<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Map = Enum.GetValues<T>().Distinct().ToFrozenDictionary(v => v, v => ToSnake(v.ToString()));
    }
}
