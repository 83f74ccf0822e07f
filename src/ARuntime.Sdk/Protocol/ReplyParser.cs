using System.Globalization;
using System.Text.Json;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.Protocol;

/// <summary>
/// Turns model output into a <see cref="ParsedReply"/>. Model output is only ever a proposal: this constructs typed calls
/// and answers and never executes anything; anything it cannot read becomes an error for the repair loop.
/// </summary>
internal static class ReplyParser
{
    /// <param name="result">The engine's output.</param>
    /// <param name="envelope">Whether the reply is the JSON response envelope.</param>
    /// <param name="turn">The request's turn number (runtime call ids are numbered by it).</param>
    /// <param name="taken">The call ids the request already used; the ids given to this reply's calls are added.</param>
    public static ParsedReply Parse(InferenceResult result, bool envelope, int turn, HashSet<string>? taken = null)
    {
        var reply = new ParsedReply();
        taken ??= new HashSet<string>(StringComparer.Ordinal);
        if (result.ToolCalls.Count > 0)
        {
            var index = 0;
            foreach (var proposed in result.ToolCalls)
            {
                var callId = DistinctCallId(proposed.CallId, turn, index, taken);
                index++;
                if (TryParseObject(proposed.ArgumentsJson, out var arguments, out var error))
                {
                    reply.Calls.Add(new ToolCall { CallId = callId, ToolName = proposed.ToolName, Arguments = arguments });
                }
                else
                {
                    reply.MalformedCalls.Add((new ToolCall { CallId = callId, ToolName = proposed.ToolName, Arguments = default }, error));
                }
            }

            return reply;
        }

        if (!envelope)
        {
            reply.Answer = result.Text.Trim();
            if (reply.Answer.Length == 0)
            {
                reply.Errors.Add("The reply was empty.");
                reply.Answer = null;
            }

            return reply;
        }

        var text = StripCodeFence(result.Text);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            reply.Errors.Add(string.Create(CultureInfo.InvariantCulture, $"The reply is not valid JSON (line {ex.LineNumber}, position {ex.BytePositionInLine})."));
            return reply;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            reply.Errors.Add("The reply must be one JSON object.");
            return reply;
        }

        var hasTool = root.TryGetProperty(ResponseEnvelope.ToolProperty, out var tool);
        var hasAnswer = root.TryGetProperty(ResponseEnvelope.AnswerProperty, out var answer);
        if (hasTool && hasAnswer)
        {
            reply.Errors.Add("The reply must contain either \"tool\" or \"answer\", not both.");
            return reply;
        }

        if (hasTool)
        {
            if (tool.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(tool.GetString()))
            {
                reply.Errors.Add("\"tool\" must be a tool name.");
                return reply;
            }

            var call = new ToolCall
            {
                CallId = DistinctCallId(null, turn, 0, taken),
                ToolName = tool.GetString()!,
                Arguments = root.TryGetProperty(ResponseEnvelope.ArgumentsProperty, out var arguments) ? arguments : default,
            };
            if (call.Arguments.ValueKind != JsonValueKind.Object)
            {
                reply.MalformedCalls.Add((call, "\"arguments\" must be a JSON object."));
            }
            else
            {
                reply.Calls.Add(call);
            }

            return reply;
        }

        if (hasAnswer)
        {
            if (answer.ValueKind == JsonValueKind.String)
            {
                reply.Answer = answer.GetString();
            }
            else
            {
                reply.Answer = answer.GetRawText();
            }

            reply.StructuredAnswer = answer;
            return reply;
        }

        reply.Errors.Add("The reply must contain \"tool\" (with \"arguments\") or \"answer\".");
        return reply;
    }

    private static string CallId(int turn, int index) => string.Create(CultureInfo.InvariantCulture, $"call_{turn}_{index}");

    /// <summary>
    /// The engine's id for a call unless the request already used it, otherwise the runtime's own. An engine's id is model
    /// output, and some backends number calls per reply (<c>call_0</c> every turn): a repeat would merge two calls in the
    /// result, the saga log and an approval (which would then apply to the wrong call).
    /// </summary>
    private static string DistinctCallId(string? proposed, int turn, int index, HashSet<string> taken)
    {
        if (!string.IsNullOrWhiteSpace(proposed) && taken.Add(proposed))
        {
            return proposed;
        }

        var id = CallId(turn, index);
        for (var n = 1; !taken.Add(id); n++)
        {
            id = string.Create(CultureInfo.InvariantCulture, $"{CallId(turn, index)}_{n}");
        }

        return id;
    }

    private static bool TryParseObject(string json, out JsonElement element, out string error)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                element = default;
                error = "The arguments must be a JSON object.";
                return false;
            }

            element = document.RootElement.Clone();
            error = string.Empty;
            return true;
        }
        catch (JsonException)
        {
            element = default;
            error = "The arguments are not valid JSON.";
            return false;
        }
    }

    /// <summary>Removes a Markdown code fence around the JSON, which unconstrained models often add.</summary>
    private static string StripCodeFence(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed.Length == text.Length ? text : trimmed.ToString();
        }

        var firstNewline = trimmed.IndexOf('\n');
        var lastFence = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        if (firstNewline < 0 || lastFence <= firstNewline)
        {
            return trimmed.ToString();
        }

        return trimmed[(firstNewline + 1)..lastFence].Trim().ToString();
    }
}
