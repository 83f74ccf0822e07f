namespace ARuntime.Sdk.Inference;

/// <summary>Why generation stopped.</summary>
public enum StopReason
{
    /// <summary>The model produced its end-of-sequence token.</summary>
    EndOfSequence = 0,

    /// <summary>The output token limit was reached.</summary>
    MaxTokens = 1,

    /// <summary>A stop sequence was produced.</summary>
    StopSequence = 2,

    /// <summary>The output completed the required JSON Schema (constrained generation finished).</summary>
    SchemaComplete = 3,

    /// <summary>The caller cancelled.</summary>
    Cancelled = 4,

    /// <summary>The deadline passed.</summary>
    Deadline = 5,

    /// <summary>The engine failed mid-generation.</summary>
    Error = 6,

    /// <summary>The model (or its provider) refused to answer.</summary>
    Refusal = 7,
}
