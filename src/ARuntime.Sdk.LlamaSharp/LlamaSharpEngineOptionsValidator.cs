using System.Globalization;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.LlamaSharp;

/// <summary>Validates <see cref="LlamaSharpEngineOptions"/> at startup, naming each invalid option and the accepted range.</summary>
public sealed class LlamaSharpEngineOptionsValidator : IValidateOptions<LlamaSharpEngineOptions>
{
    /// <summary>The most sequences llama.cpp decodes together (LLAMA_MAX_SEQ).</summary>
    public const int MaxSequencesLimit = 256;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LlamaSharpEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(options, string.IsNullOrEmpty(name) ? "LlamaSharpEngineOptions" : $"LlamaSharpEngineOptions['{name}']");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns every problem with <paramref name="options"/>.</summary>
    /// <param name="options">The options.</param>
    /// <param name="prefix">The name used in messages.</param>
    /// <returns>The problems; empty when the options are valid.</returns>
    internal static List<string> GetFailures(LlamaSharpEngineOptions options, string prefix = "LlamaSharpEngineOptions")
    {
        var failures = new List<string>();
        void Fail(string message) => failures.Add(prefix + "." + message);
        static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            Fail("ModelPath is required: the path of a GGUF model file.");
        }
        else if (!File.Exists(options.ModelPath))
        {
            Fail(F($"ModelPath '{options.ModelPath}' does not exist (resolved to '{Path.GetFullPath(options.ModelPath)}')."));
        }

        if (options.ModelName is not null && string.IsNullOrWhiteSpace(options.ModelName))
        {
            Fail("ModelName must be null (use the file's general.name) or non-blank.");
        }

        if (options.ModelVersion is not null && string.IsNullOrWhiteSpace(options.ModelVersion))
        {
            Fail("ModelVersion must be null (derive it from the file content) or non-blank.");
        }

        if (options.GpuLayerCount < 0)
        {
            Fail(F($"GpuLayerCount must be 0 (CPU only) or more; it is {options.GpuLayerCount}."));
        }

        if (options.Threads is < 1 or > 1024)
        {
            Fail(F($"Threads must be between 1 and 1024 (or null for every core); it is {options.Threads}."));
        }

        if (options.BatchThreads is < 1 or > 1024)
        {
            Fail(F($"BatchThreads must be between 1 and 1024 (or null for every core); it is {options.BatchThreads}."));
        }

        if (options.ContextSize is < 64)
        {
            Fail(F($"ContextSize must be at least 64 tokens (or null for the model's own, capped at MaxContextSize); it is {options.ContextSize}."));
        }

        if (options.MaxContextSize < 64)
        {
            Fail(F($"MaxContextSize must be at least 64 tokens; it is {options.MaxContextSize}."));
        }

        if (options.BatchSize < 1)
        {
            Fail(F($"BatchSize must be at least 1; it is {options.BatchSize}."));
        }

        if (options.UBatchSize < 1 || options.UBatchSize > options.BatchSize)
        {
            Fail(F($"UBatchSize must be between 1 and BatchSize ({options.BatchSize}); it is {options.UBatchSize}."));
        }

        if (options.MaxSequences is < 1 or > MaxSequencesLimit)
        {
            Fail(F($"MaxSequences must be between 1 and {MaxSequencesLimit}; it is {options.MaxSequences}."));
        }
        else if (options.MaxSequences > options.UBatchSize)
        {
            Fail(F($"MaxSequences ({options.MaxSequences}) must not exceed UBatchSize ({options.UBatchSize}): every active sequence decodes one token per step."));
        }

        if (options.MaxQueueLength < 0)
        {
            Fail(F($"MaxQueueLength must be 0 or more; it is {options.MaxQueueLength}."));
        }

        if (options.AdmissionGatherWindow < TimeSpan.Zero || options.AdmissionGatherWindow > TimeSpan.FromMilliseconds(10))
        {
            Fail(F($"AdmissionGatherWindow must be between 0 and 10 ms; it is {options.AdmissionGatherWindow}."));
        }

        if (options.MaxOutputTokens < 1)
        {
            Fail(F($"MaxOutputTokens must be at least 1; it is {options.MaxOutputTokens}."));
        }

        if (options.PrefixCacheBytes < 0)
        {
            Fail(F($"PrefixCacheBytes must be 0 (disabled) or more; it is {options.PrefixCacheBytes}."));
        }

        if (options.PrefixCacheMinTokens < 1)
        {
            Fail(F($"PrefixCacheMinTokens must be at least 1; it is {options.PrefixCacheMinTokens}."));
        }

        if (!Enum.IsDefined(options.PromptFormat))
        {
            Fail(F($"PromptFormat {(int)options.PromptFormat} is not a defined value (Auto, ModelTemplate, Fallback)."));
        }

        if (options.ChatTemplate is not null && string.IsNullOrWhiteSpace(options.ChatTemplate))
        {
            Fail("ChatTemplate must be null (the model's own) or a llama.cpp built-in template name or template text.");
        }

        if (options.GrammarOptions is null)
        {
            Fail("GrammarOptions must not be null.");
        }
        else
        {
            try
            {
                options.GrammarOptions.Validate();
            }
            catch (ArgumentException ex)
            {
                Fail("GrammarOptions: " + ex.Message);
            }
        }

        return failures;
    }
}
