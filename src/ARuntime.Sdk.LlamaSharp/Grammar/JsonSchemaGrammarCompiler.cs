using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>
/// Compiles JSON Schemas to GBNF grammars for llama.cpp's constrained sampling, so that every tool call and every
/// contracted answer is schema-valid by construction. Compilation is exact: a schema the compiler cannot express
/// exactly gives an <see cref="UnsupportedSchemaException"/> naming the keyword and its JSON Pointer — never a looser
/// grammar. Generated values are a subset of the valid ones (for example compact JSON with bounded whitespace,
/// properties in declared order, no exponent notation); docs/structured-output.md lists every rule.
/// </summary>
/// <remarks>
/// The compiler is thread-safe. It caches compiled schemas by their canonical text (least recently used evicted;
/// <see cref="JsonSchemaGrammarOptions.CacheCapacity"/>), because engines compile the same tool and answer schemas for
/// many requests.
/// </remarks>
public sealed class JsonSchemaGrammarCompiler
{
    private readonly Lock cacheLock = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, CompiledSchema Value)>> cache = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CompiledSchema Value)> recency = new();

    /// <summary>Initializes a new instance of the <see cref="JsonSchemaGrammarCompiler"/> class.</summary>
    /// <param name="options">The options; <see cref="JsonSchemaGrammarOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public JsonSchemaGrammarCompiler(JsonSchemaGrammarOptions? options = null)
    {
        Options = options ?? JsonSchemaGrammarOptions.Default;
        Options.Validate();
    }

    /// <summary>Gets the options.</summary>
    public JsonSchemaGrammarOptions Options { get; }

    /// <summary>Gets the number of compiled schemas in the cache.</summary>
    public int CachedCount
    {
        get
        {
            lock (cacheLock)
            {
                return cache.Count;
            }
        }
    }

    /// <summary>Compiles a JSON Schema to a grammar whose root rule matches exactly the JSON texts it generates.</summary>
    /// <param name="schema">The schema (an object or a boolean).</param>
    /// <returns>The grammar; it has passed the well-formedness check of <see cref="GbnfGrammar"/>.</returns>
    /// <exception cref="UnsupportedSchemaException">The schema uses an unsupported keyword or pattern, has an invalid
    /// keyword value, cannot be satisfied, or compiles to a grammar above
    /// <see cref="JsonSchemaGrammarOptions.MaxGrammarLength"/>.</exception>
    public GbnfGrammar Compile(JsonElement schema) => CompileWithValidator(schema).Grammar;

    /// <summary>Compiles a JSON Schema, reporting unsupported schemas without throwing.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="grammar">The grammar, when the schema compiles.</param>
    /// <param name="error">Why the schema does not compile, otherwise.</param>
    /// <returns><see langword="true"/> when the schema compiled.</returns>
    public bool TryCompile(
        JsonElement schema,
        [NotNullWhen(true)] out GbnfGrammar? grammar,
        [NotNullWhen(false)] out UnsupportedSchemaException? error)
    {
        try
        {
            grammar = Compile(schema);
            error = null;
            return true;
        }
        catch (UnsupportedSchemaException unsupported)
        {
            grammar = null;
            error = unsupported;
            return false;
        }
    }

    /// <summary>Compiles a schema and builds its validator (cached together).</summary>
    internal CompiledSchema CompileWithValidator(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw new UnsupportedSchemaException(string.Empty, string.Empty, "a schema must be a JSON object or a boolean");
        }

        var key = JsonText.Compact(schema) ?? schema.GetRawText();
        if (TryGetCached(key, out var cached))
        {
            return cached;
        }

        SchemaValidator? validator = null;
        SchemaValidator GetValidator() => validator ??= SchemaValidator.Create(schema);
        var grammar = SchemaCompiler.Compile(schema, Options, GetValidator);

        // Every compiled schema must be loadable by the validator, which re-checks all constrained output.
        var compiled = new CompiledSchema(grammar, GetValidator());
        AddToCache(key, compiled);
        return compiled;
    }

    private bool TryGetCached(string key, [NotNullWhen(true)] out CompiledSchema? compiled)
    {
        lock (cacheLock)
        {
            if (cache.TryGetValue(key, out var node))
            {
                recency.Remove(node);
                recency.AddFirst(node);
                compiled = node.Value.Value;
                return true;
            }
        }

        compiled = null;
        return false;
    }

    private void AddToCache(string key, CompiledSchema compiled)
    {
        if (Options.CacheCapacity == 0)
        {
            return;
        }

        lock (cacheLock)
        {
            if (cache.ContainsKey(key))
            {
                return;
            }

            cache[key] = recency.AddFirst((key, compiled));
            while (cache.Count > Options.CacheCapacity)
            {
                var last = recency.Last!;
                recency.RemoveLast();
                cache.Remove(last.Value.Key);
            }
        }
    }
}
