using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// Compiles one schema document to a grammar. Every distinct conjunction of schema locations (a schema with its
/// <c>$ref</c> target, <c>allOf</c> parts and chosen <c>anyOf</c>/<c>oneOf</c> branches) becomes one rule, so recursive
/// schemas compile to recursive rules; the optimizer then inlines, shares and prunes rules.
/// </summary>
internal sealed class SchemaCompiler
{
    private const int MaxConjunctions = 20_000;
    private const int MaxNesting = 256;

    private static readonly string[] ChoiceKeywords = ["anyOf", "oneOf"];

    private readonly SchemaDocument document;
    private readonly JsonSchemaGrammarOptions options;
    private readonly HashSet<string> extraAnnotations;
    private readonly GbnfRuleSet rules = new();
    private readonly Dictionary<string, string> conjunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> primitives = new(StringComparer.Ordinal);
    private readonly NumberGrammar numbers;
    private readonly Func<SchemaValidator> validator;
    private readonly JsonStringGrammar characters;
    private readonly StringGrammar strings;
    private int nesting;

    private SchemaCompiler(SchemaDocument document, JsonSchemaGrammarOptions options, Func<SchemaValidator> validator)
    {
        this.document = document;
        this.options = options;
        this.validator = validator;
        extraAnnotations = new HashSet<string>(options.AdditionalAnnotationKeywords, StringComparer.Ordinal);
        numbers = new NumberGrammar(options.MaxIntegerDigits, options.MaxFractionDigits);
        characters = new JsonStringGrammar(options.ByteFallbackSafeStrings);
        strings = new StringGrammar(characters, AnyCharacter(), GraphemeSafeCharacter());
    }

    /// <summary>Compiles <paramref name="schema"/>.</summary>
    /// <param name="schema">The schema document.</param>
    /// <param name="options">The options (already validated).</param>
    /// <param name="validator">The schema's validator (used to filter <c>enum</c>/<c>const</c> values).</param>
    /// <exception cref="UnsupportedSchemaException">The schema cannot be compiled exactly.</exception>
    public static GbnfGrammar Compile(JsonElement schema, JsonSchemaGrammarOptions options, Func<SchemaValidator> validator)
    {
        var document = new SchemaDocument(schema);
        SchemaReferenceGraph.Check(document);
        var compiler = new SchemaCompiler(document, options, validator);
        return compiler.Run();
    }

    private GbnfGrammar Run()
    {
        var root = rules.Reserve("root");
        conjunctions[Key([string.Empty], [])] = root;
        rules.SetOrigin(root, string.Empty);
        rules.Define(root, CompileConjunction([string.Empty], [], root));

        var cause = GbnfOptimizer.Optimize(rules, root);
        if (cause is not null)
        {
            throw new UnsupportedSchemaException(cause.Keyword, cause.JsonPointer, "no JSON value satisfies the schema: " + cause.Message);
        }

        var text = GbnfWriter.Write(rules, root);
        if (text.Length > options.MaxGrammarLength)
        {
            throw new UnsupportedSchemaException(
                string.Empty,
                string.Empty,
                string.Create(CultureInfo.InvariantCulture, $"the compiled grammar has {text.Length} characters, above MaxGrammarLength ({options.MaxGrammarLength})"));
        }

        return new GbnfGrammar(text, root);
    }

    private static string Key(IEnumerable<string> inputs, IEnumerable<string> resolved) =>
        string.Join('\u0001', inputs.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)) + '\u0002' +
        string.Join('\u0001', resolved.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>The rule for the conjunction of the schemas at <paramref name="inputs"/>.</summary>
    private GbnfExpr CompileSchema(List<string> inputs, IReadOnlyCollection<string> resolved, string hint)
    {
        var key = Key(inputs, resolved);
        if (conjunctions.TryGetValue(key, out var existing))
        {
            return G.Ref(existing);
        }

        if (conjunctions.Count >= MaxConjunctions)
        {
            throw new UnsupportedSchemaException(string.Empty, inputs[0], "the schema is too complex to compile (too many combinations of anyOf/oneOf/allOf)");
        }

        if (++nesting > MaxNesting)
        {
            throw new UnsupportedSchemaException(string.Empty, inputs[0], "the schema is nested too deeply to compile");
        }

        var name = rules.Reserve(hint);
        conjunctions[key] = name;
        rules.SetOrigin(name, inputs[0]);
        rules.Define(name, CompileConjunction(inputs, resolved, name));
        nesting--;
        return G.Ref(name);
    }

    private GbnfExpr CompileConjunction(IReadOnlyList<string> inputs, IReadOnlyCollection<string> resolved, string name)
    {
        var flat = Flatten(inputs, resolved);
        if (flat.Never is not null)
        {
            return new GbnfNever(flat.Never);
        }

        if (flat.Groups.Count > 0)
        {
            var group = flat.Groups[0];
            var resolvedNext = resolved.Append(group.Pointer).ToList();
            var branches = group.Branches
                .Select((branch, index) => CompileSchema([.. inputs, branch], resolvedNext, $"{name}-{group.Keyword}{index}"))
                .ToList();
            if (group.Keyword == "oneOf" && group.Branches.Count > 1)
            {
                EnsureDisjoint(inputs, resolvedNext, group);
            }

            return G.Alt(branches);
        }

        if (flat.Atoms.Count == 0)
        {
            return AnyValue();
        }

        var merged = MergedSchema.Build(document, flat.Atoms);
        return merged.Keywords.Count == 0 ? AnyValue() : CompileMerged(merged, name);
    }

    private GbnfExpr CompileMerged(MergedSchema merged, string name)
    {
        if (merged.Enumeration is { } enumeration)
        {
            return EnumLiterals(merged, enumeration.Values, enumeration.Keyword, enumeration.Pointer);
        }

        var types = merged.GeneratedTypes();
        if (types == JsonTypes.None)
        {
            return G.Never("type", merged.TypePointer, "the combined schemas allow no common type");
        }

        var alternatives = new List<GbnfExpr>();
        if (types.HasFlag(JsonTypes.Null))
        {
            alternatives.Add(G.Lit("null"));
        }

        if (types.HasFlag(JsonTypes.Boolean))
        {
            alternatives.Add(G.Alt(G.Lit("true"), G.Lit("false")));
        }

        if (types.HasFlag(JsonTypes.Number))
        {
            alternatives.Add(NumberValue(merged));
        }
        else if (types.HasFlag(JsonTypes.Integer))
        {
            alternatives.Add(IntegerValue(merged));
        }

        if (types.HasFlag(JsonTypes.String))
        {
            alternatives.Add(StringValue(merged));
        }

        if (types.HasFlag(JsonTypes.Array))
        {
            alternatives.Add(ArrayValue(merged, name));
        }

        if (types.HasFlag(JsonTypes.Object))
        {
            alternatives.Add(ObjectValue(merged, name));
        }

        return G.Alt(alternatives);
    }

    // ----- enum and const -----

    private GbnfExpr EnumLiterals(MergedSchema merged, IReadOnlyList<JsonElement> values, string keyword, string pointer)
    {
        var literals = new List<GbnfExpr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var schemaValidator = validator();
        foreach (var value in values)
        {
            string canonical;
            try
            {
                canonical = SchemaDocument.Canonical(value);
            }
            catch (FormatException)
            {
                continue;
            }

            var text = JsonText.Compact(value);
            if (text is null || !seen.Add(canonical))
            {
                continue;
            }

            // The value must also satisfy every sibling keyword of every combined schema; the validator decides exactly.
            if (merged.Atoms.All(atom => schemaValidator.ValidateAt(atom, value).IsValid))
            {
                literals.Add(G.Lit(characters.EscapeLiteral(text)));
            }
        }

        return literals.Count > 0
            ? G.Alt(literals)
            : G.Never(keyword, pointer, $"no value of '{keyword}' satisfies the other keywords");
    }

    // ----- numbers -----

    private GbnfExpr IntegerValue(MergedSchema merged)
    {
        BigInteger? min = merged.Lower is { } lower
            ? (lower.Exclusive ? lower.Value.Floor() + 1 : lower.Value.Ceiling())
            : null;
        BigInteger? max = merged.Upper is { } upper
            ? (upper.Exclusive ? upper.Value.Ceiling() - 1 : upper.Value.Floor())
            : null;
        var expr = numbers.Integer(min, max);
        return expr is GbnfNever ? BoundsNever(merged, "integer") : expr;
    }

    private GbnfExpr NumberValue(MergedSchema merged)
    {
        var expr = numbers.Number(merged.Lower?.Value, merged.Lower?.Exclusive ?? false, merged.Upper?.Value, merged.Upper?.Exclusive ?? false);
        return expr is GbnfNever ? BoundsNever(merged, "number") : expr;
    }

    private static GbnfNever BoundsNever(MergedSchema merged, string what)
    {
        var pointer = merged.Upper?.Pointer ?? merged.Lower?.Pointer ?? string.Empty;
        return new GbnfNever(new UnsatisfiableCause(
            pointer[(pointer.LastIndexOf('/') + 1)..],
            pointer,
            $"no {what} lies between the lower and upper bounds"));
    }

    // ----- strings -----

    private GbnfExpr StringValue(MergedSchema merged)
    {
        var min = merged.MinLength.Value;
        var max = merged.MaxLength?.Value;
        if (max < min)
        {
            return G.Never("maxLength", merged.MaxLength!.Pointer, "maxLength is below minLength");
        }

        if (merged.Patterns.Count > 1)
        {
            throw new UnsupportedSchemaException("pattern", merged.Patterns[1].Pointer, "several different patterns apply to the same string; intersecting patterns is not supported");
        }

        if (merged.Formats.Count > 1)
        {
            throw new UnsupportedSchemaException("format", merged.Formats[1].Pointer, "several different formats apply to the same string");
        }

        GbnfExpr content;
        if (merged.Formats.Count == 1)
        {
            var (format, pointer) = merged.Formats[0];
            if (merged.Patterns.Count > 0)
            {
                throw new UnsupportedSchemaException("format", pointer, "format combined with pattern is not supported");
            }

            var known = FormatGrammar.Get(format, numbers) ?? throw new UnsupportedSchemaException(
                "format",
                pointer,
                $"the format '{format}' is not supported (supported: {string.Join(", ", FormatGrammar.Supported)})");
            if (known.MaxLength < min || known.MinLength > max)
            {
                return G.Never("format", pointer, $"no '{format}' string has a length within minLength/maxLength");
            }

            if (known.MinLength < min || known.MaxLength > max)
            {
                throw new UnsupportedSchemaException("format", pointer, $"minLength/maxLength exclude some lengths of '{format}' strings; this combination is not supported");
            }

            content = known.Content;
        }
        else if (merged.Patterns.Count == 1)
        {
            var (pattern, pointer) = merged.Patterns[0];
            content = strings.Pattern(pattern, pointer, min, max);
        }
        else
        {
            content = strings.Lengths(min, max);
        }

        return G.Seq(G.Lit("\""), content, G.Lit("\""));
    }

    // ----- arrays -----

    private GbnfExpr ArrayValue(MergedSchema merged, string name)
    {
        var atoms = merged.ArrayAtoms;
        var prefixLength = atoms.Count == 0 ? 0 : atoms.Max(a => a.Prefix.Count);
        var min = merged.MinItems.Value;
        long? max = merged.MaxItems?.Value;

        var positions = new List<List<string>>();
        for (var index = 0; index < prefixLength; index++)
        {
            var sources = new List<string>();
            var forbidden = false;
            foreach (var atom in atoms)
            {
                if (index < atom.Prefix.Count)
                {
                    sources.Add(atom.Prefix[index]);
                }
                else if (atom.Tail is { Boolean: false })
                {
                    forbidden = true;
                }
                else if (atom.Tail is { Pointer: { } tailPointer })
                {
                    sources.Add(tailPointer);
                }
            }

            if (forbidden)
            {
                max = Math.Min(max ?? long.MaxValue, index);
                break;
            }

            positions.Add(sources);
        }

        var tailSources = atoms.Where(a => a.Tail is { Pointer: not null }).Select(a => a.Tail!.Pointer!).ToList();
        if (atoms.Any(a => a.Tail is { Boolean: false }))
        {
            max = Math.Min(max ?? long.MaxValue, prefixLength);
        }

        if (min > max)
        {
            return G.Never("minItems", merged.MinItems.Pointer.Length > 0 ? merged.MinItems.Pointer : merged.Atoms[0], "no array length satisfies minItems, maxItems and the item schemas");
        }

        var ws = Whitespace();
        var separator = G.Seq(ws, G.Lit(","), ws);
        GbnfExpr Item(int index) => index < positions.Count
            ? Subschema(positions[index], $"{name}-item{index}")
            : Subschema(tailSources, $"{name}-items");

        // Elements from position 'index' on, each after a separator, given 'index' elements so far.
        GbnfExpr From(int index)
        {
            if (max is { } limit && index >= limit)
            {
                return G.Empty;
            }

            if (index >= positions.Count)
            {
                var remainingMin = Math.Max(0, min - index);
                int? remainingMax = max is { } m ? (int)Math.Min(int.MaxValue, m - index) : null;
                return G.Rep(G.Seq(separator, Item(index)), remainingMin, remainingMax);
            }

            var next = G.Seq(separator, Item(index), From(index + 1));
            return index < min ? next : G.Opt(next);
        }

        if (max == 0)
        {
            return G.Seq(G.Lit("["), ws, G.Lit("]"));
        }

        var content = G.Seq(Item(0), From(1));
        return min == 0
            ? G.Seq(G.Lit("["), ws, G.Opt(G.Seq(content, ws)), G.Lit("]"))
            : G.Seq(G.Lit("["), ws, content, ws, G.Lit("]"));
    }

    // ----- objects -----

    private GbnfExpr ObjectValue(MergedSchema merged, string name)
    {
        var properties = new List<(string Name, bool Required, GbnfExpr Value)>();
        var requiredNames = merged.Required.ToDictionary(r => r.Name, r => r.Pointer, StringComparer.Ordinal);
        var closed = merged.ObjectAtoms.Where(a => a.Additional is { Boolean: false }).ToList();
        foreach (var property in merged.PropertyOrder)
        {
            var sources = new List<string>(merged.PropertySchemas[property]);
            var forbiddenBy = closed.FirstOrDefault(a => !a.Declared.Contains(property));
            if (forbiddenBy is not null)
            {
                if (requiredNames.TryGetValue(property, out var requiredPointer))
                {
                    return G.Never("required", requiredPointer, $"'{property}' is required but additionalProperties: false at '{forbiddenBy.Pointer}' does not allow it");
                }

                continue;
            }

            sources.AddRange(merged.ObjectAtoms
                .Where(a => !a.Declared.Contains(property) && a.Additional is { Pointer: not null })
                .Select(a => a.Additional!.Pointer!));
            properties.Add((property, requiredNames.ContainsKey(property), Subschema(sources, $"{name}-{property}")));
        }

        foreach (var (required, pointer) in merged.Required.Where(r => !merged.PropertySchemas.ContainsKey(r.Name)))
        {
            if (closed.Count > 0)
            {
                return G.Never("required", pointer, $"'{required}' is required but additionalProperties: false at '{closed[0].Pointer}' does not allow it");
            }

            var sources = merged.ObjectAtoms.Where(a => a.Additional is { Pointer: not null }).Select(a => a.Additional!.Pointer!).ToList();
            properties.Add((required, true, Subschema(sources, $"{name}-{required}")));
        }

        var requiredCount = properties.Count(p => p.Required);
        if (merged.MinProperties.Value > properties.Count)
        {
            return G.Never("minProperties", merged.MinProperties.Pointer, "more properties are required than the schema can generate (only declared properties are generated)");
        }

        if (merged.MaxProperties is { } maxProperties && maxProperties.Value < requiredCount)
        {
            return G.Never("maxProperties", maxProperties.Pointer, "fewer properties are allowed than are required");
        }

        if (merged.MinProperties.Value > requiredCount)
        {
            throw new UnsupportedSchemaException("minProperties", merged.MinProperties.Pointer, "minProperties is only supported when the required properties already satisfy it");
        }

        if (merged.MaxProperties is { } maximum && maximum.Value < properties.Count)
        {
            throw new UnsupportedSchemaException("maxProperties", maximum.Pointer, "maxProperties is only supported when all declared properties together satisfy it");
        }

        var ws = Whitespace();
        var separator = G.Seq(ws, G.Lit(","), ws);
        var members = properties
            .Select(p => G.Seq(G.Lit(characters.EscapeLiteral(JsonText.Quote(p.Name))), ws, G.Lit(":"), ws, p.Value))
            .ToList();

        // rest(i): the members from i on, each after a separator, given at least one member so far.
        var rest = new GbnfExpr[properties.Count + 1];
        rest[properties.Count] = G.Empty;
        for (var i = properties.Count - 1; i >= 0; i--)
        {
            var member = G.Seq(separator, members[i]);
            var body = G.Seq(properties[i].Required ? member : G.Opt(member), rest[i + 1]);
            rest[i] = NamedRule($"{name}-rest{i}", body);
        }

        // first(i): a non-empty member list whose first member is at position i or later (all before it optional).
        var firstChoices = new List<GbnfExpr>();
        for (var i = 0; i < properties.Count; i++)
        {
            firstChoices.Add(G.Seq(members[i], rest[i + 1]));
            if (properties[i].Required)
            {
                break;
            }
        }

        var open = G.Seq(G.Lit("{"), ws);
        if (firstChoices.Count == 0)
        {
            return G.Seq(open, G.Lit("}"));
        }

        var first = NamedRule($"{name}-members", G.Alt(firstChoices));
        return requiredCount == 0
            ? G.Seq(open, G.Opt(G.Seq(first, ws)), G.Lit("}"))
            : G.Seq(open, first, ws, G.Lit("}"));
    }

    private GbnfExpr Subschema(List<string> sources, string hint) =>
        sources.Count == 0 ? AnyValue() : CompileSchema(sources, [], hint);

    private GbnfExpr NamedRule(string hint, GbnfExpr body)
    {
        if (body is GbnfEmpty or GbnfNever or GbnfLiteral or GbnfRuleRef)
        {
            return body;
        }

        var name = rules.Reserve(hint);
        rules.Define(name, body);
        return G.Ref(name);
    }

    // ----- flattening conjunctions -----

    private sealed record ChoiceGroup(string Keyword, string Pointer, IReadOnlyList<string> Branches);

    private sealed record Flattened(List<string> Atoms, List<ChoiceGroup> Groups, UnsatisfiableCause? Never);

    private Flattened Flatten(IEnumerable<string> inputs, IReadOnlyCollection<string> resolved)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var atoms = new List<string>();
        var groups = new List<ChoiceGroup>();
        UnsatisfiableCause? never = null;

        void Visit(string pointer)
        {
            if (!visited.Add(pointer))
            {
                return;
            }

            var schema = document.Resolve(pointer) ?? throw new UnsupportedSchemaException(string.Empty, pointer, "no schema at this location");
            switch (schema.ValueKind)
            {
                case JsonValueKind.True:
                    return;
                case JsonValueKind.False:
                    never ??= new UnsatisfiableCause(string.Empty, pointer, "the schema 'false' accepts nothing");
                    return;
                case JsonValueKind.Object:
                    break;
                default:
                    throw new UnsupportedSchemaException(string.Empty, pointer, "a schema must be an object or a boolean");
            }

            string? target = null;
            if (schema.TryGetProperty("$ref", out var reference))
            {
                var refPointer = SchemaDocument.Append(pointer, "$ref");
                if (reference.ValueKind != JsonValueKind.String)
                {
                    throw new UnsupportedSchemaException("$ref", refPointer, "the value must be a string");
                }

                target = document.ResolveReference(reference.GetString()!, refPointer);
                if (document.RefIgnoresSiblings)
                {
                    // Drafts 6 and 7: a schema with $ref is just the reference; validators ignore its other keywords.
                    Visit(target);
                    return;
                }
            }

            CheckKeywords(schema, pointer);
            atoms.Add(pointer);
            if (target is not null)
            {
                Visit(target);
            }

            if (schema.TryGetProperty("allOf", out var allOf))
            {
                foreach (var part in SchemaArray(allOf, SchemaDocument.Append(pointer, "allOf"), "allOf"))
                {
                    Visit(part);
                }
            }

            foreach (var keyword in ChoiceKeywords)
            {
                if (schema.TryGetProperty(keyword, out var choice))
                {
                    var groupPointer = SchemaDocument.Append(pointer, keyword);
                    var branches = SchemaArray(choice, groupPointer, keyword);
                    if (!resolved.Contains(groupPointer))
                    {
                        groups.Add(new ChoiceGroup(keyword, groupPointer, branches));
                    }
                }
            }
        }

        foreach (var input in inputs)
        {
            Visit(input);
        }

        return new Flattened(atoms, groups, never);
    }

    private static List<string> SchemaArray(JsonElement value, string pointer, string keyword)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new UnsupportedSchemaException(keyword, pointer, "the value must be a non-empty array of schemas");
        }

        return [.. Enumerable.Range(0, value.GetArrayLength()).Select(i => SchemaDocument.Append(pointer, i))];
    }

    private void CheckKeywords(JsonElement schema, string pointer)
    {
        foreach (var property in schema.EnumerateObject())
        {
            var keyword = property.Name;
            var keywordPointer = SchemaDocument.Append(pointer, keyword);
            if (SchemaKeywords.Annotations.Contains(keyword))
            {
                if (keyword == "$schema" && pointer.Length > 0)
                {
                    throw new UnsupportedSchemaException(keyword, keywordPointer, "$schema is only supported at the document root");
                }

                if (keyword == "$id" && pointer.Length > 0)
                {
                    throw new UnsupportedSchemaException(keyword, keywordPointer, "embedded schema resources ($id below the root) are not supported");
                }

                continue;
            }

            if (SchemaKeywords.Supported.Contains(keyword) || extraAnnotations.Contains(keyword))
            {
                continue;
            }

            if (SchemaKeywords.Unsupported.TryGetValue(keyword, out var reason))
            {
                throw new UnsupportedSchemaException(keyword, keywordPointer, reason);
            }

            throw new UnsupportedSchemaException(
                keyword,
                keywordPointer,
                "unknown keyword (if it is only an annotation, list it in JsonSchemaGrammarOptions.AdditionalAnnotationKeywords)");
        }
    }

    // ----- oneOf: branches must be provably exclusive -----

    private void EnsureDisjoint(IReadOnlyList<string> inputs, IReadOnlyCollection<string> resolvedWithGroup, ChoiceGroup group)
    {
        var generated = group.Branches.Select(b => GeneratedShape([.. inputs, b], resolvedWithGroup, depth: 0)).ToList();
        var accepted = group.Branches.Select(AcceptedShape).ToList();
        for (var i = 0; i < generated.Count; i++)
        {
            for (var j = 0; j < accepted.Count; j++)
            {
                if (i != j && !Disjoint(generated[i], accepted[j]))
                {
                    throw new UnsupportedSchemaException(
                        "oneOf",
                        group.Pointer,
                        string.Create(CultureInfo.InvariantCulture, $"branches {i} and {j} are not provably exclusive, so a generated value could match both and fail oneOf; distinguish them by type, by a required property with different const/enum values, or by required properties the other branch cannot have — or use anyOf"));
                }
            }
        }
    }

    private sealed record Shape(
        JsonTypes Types,
        HashSet<string>? Literals,
        HashSet<string> Always,
        HashSet<string>? Possible,
        Dictionary<string, HashSet<string>> Constants,
        HashSet<string>? Allowed);

    private Shape GeneratedShape(IReadOnlyList<string> inputs, IReadOnlyCollection<string> resolved, int depth)
    {
        var flat = Flatten(inputs, resolved);
        if (flat.Never is not null)
        {
            return new Shape(JsonTypes.None, [], [], [], [], null);
        }

        if (flat.Groups.Count > 0)
        {
            if (depth >= 3)
            {
                return new Shape(JsonTypes.All, null, [], null, [], null);
            }

            var group = flat.Groups[0];
            var next = resolved.Append(group.Pointer).ToList();
            var shapes = group.Branches.Select(b => GeneratedShape([.. inputs, b], next, depth + 1)).ToList();
            var constants = shapes[0].Constants.Keys
                .Where(k => shapes.All(s => s.Constants.ContainsKey(k)))
                .ToDictionary(k => k, k => shapes.SelectMany(s => s.Constants[k]).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            return new Shape(
                shapes.Aggregate(JsonTypes.None, (t, s) => t | s.Types),
                shapes.All(s => s.Literals is not null) ? shapes.SelectMany(s => s.Literals!).ToHashSet(StringComparer.Ordinal) : null,
                shapes.Select(s => s.Always).Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal)),
                shapes.All(s => s.Possible is not null) ? shapes.SelectMany(s => s.Possible!).ToHashSet(StringComparer.Ordinal) : null,
                constants,
                null);
        }

        var merged = MergedSchema.Build(document, flat.Atoms);
        return ShapeOf(merged, merged.GeneratedTypes());
    }

    private Shape AcceptedShape(string branch)
    {
        // What a validator accepts for the branch alone; nested choices only add constraints, so ignoring them is safe.
        var flat = Flatten([branch], []);
        if (flat.Never is not null)
        {
            return new Shape(JsonTypes.None, [], [], [], [], null);
        }

        var merged = MergedSchema.Build(document, flat.Atoms);
        var shape = ShapeOf(merged, merged.Types ?? JsonTypes.All);
        var closed = merged.ObjectAtoms.Where(a => a.Additional is { Boolean: false }).ToList();
        var allowed = closed.Count == 0
            ? null
            : closed.Select(a => a.Declared).Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal));
        return shape with { Allowed = allowed };
    }

    private Shape ShapeOf(MergedSchema merged, JsonTypes types)
    {
        HashSet<string>? literals = null;
        if (merged.Enumeration is { } enumeration)
        {
            literals = [];
            types = JsonTypes.None;
            foreach (var value in enumeration.Values)
            {
                try
                {
                    literals.Add(SchemaDocument.Canonical(value));
                    types |= JsonTypesExtensions.Of(value);
                }
                catch (FormatException)
                {
                    // Values that cannot be written are never generated.
                }
            }
        }

        var always = merged.Required.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var possible = merged.PropertyOrder.Concat(always).ToHashSet(StringComparer.Ordinal);
        var constants = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (property, sources) in merged.PropertySchemas)
        {
            var flat = Flatten(sources, []);
            if (flat.Never is null && flat.Groups.Count == 0 && flat.Atoms.Count > 0 && MergedSchema.Build(document, flat.Atoms).Enumeration is { } values)
            {
                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var value in values.Values)
                {
                    try
                    {
                        set.Add(SchemaDocument.Canonical(value));
                    }
                    catch (FormatException)
                    {
                    }
                }

                constants[property] = set;
            }
        }

        return new Shape(types, literals, always, possible, constants, null);
    }

    private static bool Disjoint(Shape generated, Shape accepted)
    {
        if ((generated.Types & accepted.Types) == JsonTypes.None)
        {
            return true;
        }

        if (generated.Literals is not null && accepted.Literals is not null && !generated.Literals.Overlaps(accepted.Literals))
        {
            return true;
        }

        if (generated.Literals is null && (generated.Types & ~JsonTypes.Object) == JsonTypes.None)
        {
            if (generated.Possible is not null && accepted.Always.Any(name => !generated.Possible.Contains(name)))
            {
                return true;
            }

            if (accepted.Allowed is not null && generated.Always.Any(name => !accepted.Allowed.Contains(name)))
            {
                return true;
            }

            foreach (var name in generated.Always)
            {
                if (generated.Constants.TryGetValue(name, out var mine) && accepted.Constants.TryGetValue(name, out var theirs) && !mine.Overlaps(theirs))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // ----- shared rules -----

    private GbnfExpr Primitive(string name, Func<GbnfExpr> body)
    {
        if (!primitives.TryGetValue(name, out var rule))
        {
            rule = rules.Reserve(name);
            primitives[name] = rule;
            rules.Define(rule, body());
        }

        return G.Ref(rule);
    }

    private GbnfExpr Whitespace() => options.MaxWhitespace == 0
        ? G.Empty
        : Primitive("ws", () => G.Rep(G.Class(CodePointSet.OfChars(" \t\n\r"), new UnsatisfiableCause(string.Empty, string.Empty, "ws")), 0, options.MaxWhitespace));

    private GbnfExpr AnyCharacter() => Primitive("char", characters.AnyCharacter);

    private GbnfExpr GraphemeSafeCharacter() => Primitive(
        "safe-char",
        () => characters.Encode(characters.GraphemeSafeCharacters, new UnsatisfiableCause(string.Empty, string.Empty, "safe-char")));

    /// <summary>
    /// Any JSON value (the schema <c>true</c> or <c>{}</c>). Objects are empty: the compiler never generates property names
    /// a schema does not declare (and a grammar could not rule out repeated ones).
    /// </summary>
    private GbnfExpr AnyValue() => Primitive("value", () =>
    {
        var ws = Whitespace();
        var value = G.Ref(primitives["value"]);
        var anyString = Primitive("string", () => G.Seq(G.Lit("\""), G.Rep(AnyCharacter(), 0, null), G.Lit("\"")));
        var anyNumber = Primitive("number", () => numbers.Number(null, false, null, false));
        var anyArray = Primitive("array", () => G.Seq(
            G.Lit("["), ws, G.Opt(G.Seq(value, G.Rep(G.Seq(ws, G.Lit(","), ws, value), 0, null), ws)), G.Lit("]")));
        var anyObject = G.Seq(G.Lit("{"), ws, G.Lit("}"));
        return G.Alt(G.Lit("null"), G.Lit("true"), G.Lit("false"), anyNumber, anyString, anyArray, anyObject);
    });
}
