namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>How the engine turns a conversation into prompt text (see docs/prompting.md).</summary>
public enum PromptFormat
{
    /// <summary>
    /// The model's own chat template (or <see cref="LlamaSharpEngineOptions.ChatTemplate"/>) through llama.cpp's template
    /// application; when the model has no template, or llama.cpp does not recognize it, the ARuntime fallback format
    /// (logged as a warning and named in the engine metadata).
    /// </summary>
    Auto = 0,

    /// <summary>The model's own chat template (or <see cref="LlamaSharpEngineOptions.ChatTemplate"/>); loading fails when there is none llama.cpp can apply.</summary>
    ModelTemplate = 1,

    /// <summary>Always the ARuntime fallback format (a plain labelled transcript), for base models.</summary>
    Fallback = 2,
}
