namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// Follows JSON text structurally to tell when its root value is complete. Grammar-constrained output is valid JSON by
/// construction, so nesting depth and string state are enough: an object, array or string root is complete when it
/// closes, a <c>true</c>/<c>false</c>/<c>null</c> root when its last letter is written. A number root is never declared
/// complete here (another digit could follow); the grammar ends it by allowing only end-of-generation.
/// </summary>
internal sealed class JsonCompletionTracker
{
    private int depth;
    private bool started;
    private bool inString;
    private bool escaped;
    private bool scalarRoot;
    private int literalRemaining;

    /// <summary>Gets whether the root value is complete.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Feeds generated text.</summary>
    /// <param name="text">The text.</param>
    public void Feed(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (IsComplete)
            {
                return;
            }

            Feed(c);
        }
    }

    private void Feed(char c)
    {
        if (inString)
        {
            if (escaped)
            {
                escaped = false;
            }
            else if (c == '\\')
            {
                escaped = true;
            }
            else if (c == '"')
            {
                inString = false;
                if (scalarRoot && depth == 0)
                {
                    IsComplete = true;
                }
            }

            return;
        }

        if (!started)
        {
            if (char.IsWhiteSpace(c))
            {
                return;
            }

            started = true;
            switch (c)
            {
                case '{' or '[':
                    depth = 1;
                    break;
                case '"':
                    scalarRoot = true;
                    inString = true;
                    break;
                case 't' or 'n':
                    scalarRoot = true;
                    literalRemaining = 3;
                    break;
                case 'f':
                    scalarRoot = true;
                    literalRemaining = 4;
                    break;
                default:
                    scalarRoot = true; // a number: completion is signalled by end-of-generation
                    break;
            }

            return;
        }

        if (scalarRoot)
        {
            if (literalRemaining > 0 && --literalRemaining == 0)
            {
                IsComplete = true;
            }

            return;
        }

        switch (c)
        {
            case '"':
                inString = true;
                break;
            case '{' or '[':
                depth++;
                break;
            case '}' or ']':
                if (--depth == 0)
                {
                    IsComplete = true;
                }

                break;
        }
    }
}
