using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LLama;

namespace ARuntime.Sdk.LlamaSharp.Prompting;

/// <summary>
/// A chat template applied by llama.cpp (<c>llama_chat_apply_template</c> through <see cref="LLamaTemplate"/>): the
/// model's own <c>tokenizer.chat_template</c>, recognized among llama.cpp's built-in templates, or a built-in named in
/// the options (for example <c>chatml</c>). llama.cpp runs no Jinja: an unrecognized template throws
/// <see cref="LLama.Exceptions.MissingTemplateException"/>, which the loader probes for up front.
/// </summary>
internal sealed class LlamaCppPromptTemplate : IPromptTemplate
{
    private readonly string template;

    /// <summary>Initializes a new instance and checks that llama.cpp can apply the template.</summary>
    /// <param name="template">The template text or a built-in template name.</param>
    /// <param name="origin">Where the template came from (for <see cref="Name"/>).</param>
    /// <exception cref="LLama.Exceptions.MissingTemplateException">llama.cpp does not recognize the template.</exception>
    public LlamaCppPromptTemplate(string template, string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        this.template = template;
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template)).AsSpan(0, 4));
        Name = string.Create(CultureInfo.InvariantCulture, $"llama.cpp:{origin}#{digest}");

        // Probe: fails now (at load) rather than on the first request.
        _ = Render([new ChatTurn("system", "s"), new ChatTurn("user", "u")], addAssistantPrefix: true);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsFallback => false;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatTurn> turns, bool addAssistantPrefix)
    {
        // LLamaTemplate is mutable and not thread-safe: one per render (it only holds the message list).
        var applied = new LLamaTemplate(template) { AddAssistant = addAssistantPrefix };
        foreach (var turn in turns)
        {
            applied.Add(turn.Role, turn.Content);
        }

        return LLamaTemplate.Encoding.GetString(applied.Apply());
    }
}
