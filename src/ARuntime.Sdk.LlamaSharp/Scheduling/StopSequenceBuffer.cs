using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// Applies stop sequences to streamed text: text that could be the start of a stop sequence is held back until it is
/// known not to be one, so a caller never sees any part of a stop sequence, and the output ends where the first one starts.
/// </summary>
internal sealed class StopSequenceBuffer
{
    private readonly string[] stops;
    private readonly int longest;
    private readonly StringBuilder output = new();
    private string pending = string.Empty;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="stopSequences">The stop sequences (empty ones are ignored).</param>
    public StopSequenceBuffer(IEnumerable<string> stopSequences)
    {
        stops = stopSequences.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray();
        longest = stops.Length == 0 ? 0 : stops.Max(s => s.Length);
    }

    /// <summary>Gets whether a stop sequence was produced.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Gets the output so far, without held-back text and without the stop sequence.</summary>
    public string Emitted => output.ToString();

    /// <summary>Adds generated text and returns the part that can be released to the caller now.</summary>
    /// <param name="text">New text.</param>
    /// <returns>The releasable text (possibly empty).</returns>
    public string Push(string text)
    {
        if (Stopped || text.Length == 0)
        {
            return string.Empty;
        }

        if (stops.Length == 0)
        {
            output.Append(text);
            return text;
        }

        var candidate = pending + text;
        var stopAt = -1;
        foreach (var stop in stops)
        {
            var index = candidate.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (stopAt < 0 || index < stopAt))
            {
                stopAt = index;
            }
        }

        if (stopAt >= 0)
        {
            Stopped = true;
            pending = string.Empty;
            return Release(candidate[..stopAt]);
        }

        var hold = HeldBackLength(candidate);
        pending = candidate[^hold..];
        return Release(candidate[..^hold]);
    }

    /// <summary>Releases the held-back text (generation ended without completing a stop sequence).</summary>
    /// <returns>The held-back text.</returns>
    public string Flush()
    {
        var rest = pending;
        pending = string.Empty;
        return Release(rest);
    }

    private string Release(string text)
    {
        output.Append(text);
        return text;
    }

    // The longest suffix of the candidate that is a proper prefix of some stop sequence.
    private int HeldBackLength(string candidate)
    {
        for (var length = Math.Min(longest - 1, candidate.Length); length > 0; length--)
        {
            var suffix = candidate.AsSpan(candidate.Length - length);
            foreach (var stop in stops)
            {
                if (stop.Length > length && stop.AsSpan().StartsWith(suffix, StringComparison.Ordinal))
                {
                    return length;
                }
            }
        }

        return 0;
    }
}
