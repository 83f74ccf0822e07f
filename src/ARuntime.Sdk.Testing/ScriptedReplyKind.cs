namespace ARuntime.Sdk.Testing;

/// <summary>What a scripted reply makes the engine do.</summary>
public enum ScriptedReplyKind
{
    /// <summary>Answer with text (or a structured answer).</summary>
    Answer = 0,

    /// <summary>Propose a tool call.</summary>
    ToolCall = 1,

    /// <summary>Return exactly the given text (for example malformed JSON).</summary>
    Raw = 2,

    /// <summary>Refuse (stop reason <c>Refusal</c>).</summary>
    Refusal = 3,

    /// <summary>Never answer: wait until the call is cancelled or its deadline passes.</summary>
    Hang = 4,

    /// <summary>Throw an exception.</summary>
    Throw = 5,

    /// <summary>Propose several tool calls in one reply, as native tool calls.</summary>
    ToolCalls = 6,
}
