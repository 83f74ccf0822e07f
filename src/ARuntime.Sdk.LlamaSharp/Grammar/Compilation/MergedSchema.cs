using System.Globalization;
using System.Text.Json;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>
/// The keywords of several schema objects that must all hold (a conjunction: one schema with its <c>allOf</c> parts,
/// its <c>$ref</c> target and a chosen <c>anyOf</c>/<c>oneOf</c> branch), combined: types intersected, bounds tightened,
/// properties and items collected per name and position. Keyword values are validated as they are read.
/// </summary>
internal sealed class MergedSchema
{
    private MergedSchema()
    {
    }

    /// <summary>Gets the JSON Pointers of the schema objects combined.</summary>
    public IReadOnlyList<string> Atoms { get; private init; } = [];

    /// <summary>Gets the allowed types, or null when no <c>type</c> keyword constrains them.</summary>
    public JsonTypes? Types { get; private set; }

    /// <summary>Gets the pointer of the <c>type</c> keyword that last narrowed <see cref="Types"/>.</summary>
    public string TypePointer { get; private set; } = string.Empty;

    /// <summary>Gets the candidate values of the first <c>enum</c> or <c>const</c>, with its pointer.</summary>
    public (IReadOnlyList<JsonElement> Values, string Keyword, string Pointer)? Enumeration { get; private set; }

    /// <summary>Gets the property names in order of first declaration.</summary>
    public List<string> PropertyOrder { get; } = [];

    /// <summary>Gets, per property name, the pointers of the subschemas declaring it.</summary>
    public Dictionary<string, List<string>> PropertySchemas { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the required names in order, with the pointer of the <c>required</c> keyword naming each first.</summary>
    public List<(string Name, string Pointer)> Required { get; } = [];

    /// <summary>Gets what each atom says about properties it does not declare.</summary>
    public List<ObjectAtom> ObjectAtoms { get; } = [];

    /// <summary>Gets what each atom says about items.</summary>
    public List<ArrayAtom> ArrayAtoms { get; } = [];

    /// <summary>Gets <c>minItems</c> (0 when absent).</summary>
    public Bound MinItems { get; private set; } = new(0, string.Empty);

    /// <summary>Gets <c>maxItems</c>.</summary>
    public Bound? MaxItems { get; private set; }

    /// <summary>Gets <c>minLength</c> (0 when absent).</summary>
    public Bound MinLength { get; private set; } = new(0, string.Empty);

    /// <summary>Gets <c>maxLength</c>.</summary>
    public Bound? MaxLength { get; private set; }

    /// <summary>Gets <c>minProperties</c> (0 when absent).</summary>
    public Bound MinProperties { get; private set; } = new(0, string.Empty);

    /// <summary>Gets <c>maxProperties</c>.</summary>
    public Bound? MaxProperties { get; private set; }

    /// <summary>Gets the tightest lower numeric bound.</summary>
    public NumericBound? Lower { get; private set; }

    /// <summary>Gets the tightest upper numeric bound.</summary>
    public NumericBound? Upper { get; private set; }

    /// <summary>Gets the distinct patterns.</summary>
    public List<(string Pattern, string Pointer)> Patterns { get; } = [];

    /// <summary>Gets the distinct formats.</summary>
    public List<(string Format, string Pointer)> Formats { get; } = [];

    /// <summary>Gets the keywords present in any atom.</summary>
    public HashSet<string> Keywords { get; } = new(StringComparer.Ordinal);

    /// <summary>Combines the atoms.</summary>
    /// <exception cref="UnsupportedSchemaException">A keyword value is invalid.</exception>
    public static MergedSchema Build(SchemaDocument document, IReadOnlyList<string> atoms)
    {
        var merged = new MergedSchema { Atoms = atoms };
        foreach (var atom in atoms)
        {
            merged.Add(document, atom, document.Resolve(atom)!.Value);
        }

        return merged;
    }

    /// <summary>Returns the types this conjunction generates: <see cref="Types"/>, else the types whose keywords appear, else all.</summary>
    public JsonTypes GeneratedTypes()
    {
        if (Types is { } types)
        {
            return types;
        }

        var inferred = JsonTypes.None;
        if (Keywords.Overlaps(SchemaKeywords.ObjectKeywords))
        {
            inferred |= JsonTypes.Object;
        }

        if (Keywords.Overlaps(SchemaKeywords.ArrayKeywords))
        {
            inferred |= JsonTypes.Array;
        }

        if (Keywords.Overlaps(SchemaKeywords.StringKeywords))
        {
            inferred |= JsonTypes.String;
        }

        if (Keywords.Overlaps(SchemaKeywords.NumberKeywords))
        {
            inferred |= JsonTypes.Number;
        }

        return inferred == JsonTypes.None ? JsonTypes.All : inferred;
    }

    private void Add(SchemaDocument document, string atom, JsonElement schema)
    {
        var objectAtom = new ObjectAtom(atom);
        var arrayAtom = new ArrayAtom(atom);
        foreach (var property in schema.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            var pointer = SchemaDocument.Append(atom, name);
            if (!SchemaKeywords.Supported.Contains(name))
            {
                continue;
            }

            Keywords.Add(name);
            switch (name)
            {
                case "type":
                    NarrowTypes(ParseTypes(value, pointer), pointer);
                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        throw Invalid(name, pointer, "must be an array");
                    }

                    Enumeration ??= ([.. value.EnumerateArray()], name, pointer);
                    break;
                case "const":
                    Enumeration ??= ([value], name, pointer);
                    break;
                case "properties":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid(name, pointer, "must be an object");
                    }

                    foreach (var declared in value.EnumerateObject())
                    {
                        objectAtom.Declared.Add(declared.Name);
                        if (!PropertySchemas.TryGetValue(declared.Name, out var sources))
                        {
                            PropertySchemas[declared.Name] = sources = [];
                            PropertyOrder.Add(declared.Name);
                        }

                        sources.Add(SchemaDocument.Append(pointer, declared.Name));
                    }

                    break;
                case "required":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                    {
                        throw Invalid(name, pointer, "must be an array of strings");
                    }

                    foreach (var required in value.EnumerateArray().Select(e => e.GetString()!))
                    {
                        if (!Required.Any(r => r.Name == required))
                        {
                            Required.Add((required, pointer));
                        }
                    }

                    break;
                case "additionalProperties":
                    objectAtom.Additional = SchemaOrBoolean(value, pointer);
                    break;
                case "minProperties":
                    MinProperties = Max(MinProperties, new Bound(NonNegative(value, name, pointer), pointer));
                    break;
                case "maxProperties":
                    MaxProperties = Min(MaxProperties, new Bound(NonNegative(value, name, pointer), pointer));
                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        if (document.Dialect == SchemaDialect.Draft202012)
                        {
                            throw Invalid(name, pointer, "an array of schemas is not valid in draft 2020-12 (use prefixItems)");
                        }

                        arrayAtom.Prefix.AddRange(Enumerable.Range(0, value.GetArrayLength()).Select(i => SchemaDocument.Append(pointer, i)));
                    }
                    else
                    {
                        arrayAtom.Tail = SchemaOrBoolean(value, pointer);
                    }

                    break;
                case "prefixItems":
                    if (document.Dialect != SchemaDialect.Draft202012)
                    {
                        throw Invalid(name, pointer, "is a draft 2020-12 keyword; this schema declares an earlier draft");
                    }

                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        throw Invalid(name, pointer, "must be an array of schemas");
                    }

                    arrayAtom.Prefix.AddRange(Enumerable.Range(0, value.GetArrayLength()).Select(i => SchemaDocument.Append(pointer, i)));
                    break;
                case "additionalItems":
                    if (document.Dialect == SchemaDialect.Draft202012)
                    {
                        throw Invalid(name, pointer, "is not a draft 2020-12 keyword (use items after prefixItems)");
                    }

                    // Only meaningful after an array-form items; otherwise validators ignore it.
                    if (schema.TryGetProperty("items", out var itemsValue) && itemsValue.ValueKind == JsonValueKind.Array)
                    {
                        arrayAtom.Tail = SchemaOrBoolean(value, pointer);
                    }

                    break;
                case "minItems":
                    MinItems = Max(MinItems, new Bound(NonNegative(value, name, pointer), pointer));
                    break;
                case "maxItems":
                    MaxItems = Min(MaxItems, new Bound(NonNegative(value, name, pointer), pointer));
                    break;
                case "uniqueItems":
                    if (value.ValueKind == JsonValueKind.True)
                    {
                        throw new UnsupportedSchemaException(name, pointer, "uniqueItems: true cannot be expressed as a grammar");
                    }

                    if (value.ValueKind != JsonValueKind.False)
                    {
                        throw Invalid(name, pointer, "must be a boolean");
                    }

                    break;
                case "minLength":
                    MinLength = Max(MinLength, new Bound(NonNegative(value, name, pointer), pointer));
                    break;
                case "maxLength":
                    MaxLength = Min(MaxLength, new Bound(NonNegative(value, name, pointer), pointer));
                    break;
                case "pattern":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid(name, pointer, "must be a string");
                    }

                    if (!Patterns.Any(p => p.Pattern == value.GetString()))
                    {
                        Patterns.Add((value.GetString()!, pointer));
                    }

                    break;
                case "format":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid(name, pointer, "must be a string");
                    }

                    if (!Formats.Any(f => f.Format == value.GetString()))
                    {
                        Formats.Add((value.GetString()!, pointer));
                    }

                    break;
                case "minimum":
                    Lower = Tighter(Lower, new NumericBound(Number(value, name, pointer), false, pointer), lower: true);
                    break;
                case "exclusiveMinimum":
                    Lower = Tighter(Lower, new NumericBound(Number(value, name, pointer), true, pointer), lower: true);
                    break;
                case "maximum":
                    Upper = Tighter(Upper, new NumericBound(Number(value, name, pointer), false, pointer), lower: false);
                    break;
                case "exclusiveMaximum":
                    Upper = Tighter(Upper, new NumericBound(Number(value, name, pointer), true, pointer), lower: false);
                    break;
            }
        }

        ObjectAtoms.Add(objectAtom);
        ArrayAtoms.Add(arrayAtom);
    }

    private void NarrowTypes(JsonTypes types, string pointer)
    {
        // Bitwise: number & integer = integer, since Number includes the Integer bit.
        Types = (Types ?? JsonTypes.All) & types;
        TypePointer = pointer;
    }

    private static JsonTypes ParseTypes(JsonElement value, string pointer)
    {
        var names = value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                value.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => throw Invalid("type", pointer, "must be a type name or an array of type names"),
        };

        var types = JsonTypes.None;
        foreach (var typeName in names)
        {
            types |= JsonTypesExtensions.Parse(typeName)
                ?? throw Invalid("type", pointer, $"'{typeName}' is not a JSON Schema type");
        }

        return types;
    }

    private static SchemaRef SchemaOrBoolean(JsonElement value, string pointer) => value.ValueKind switch
    {
        JsonValueKind.True => SchemaRef.True,
        JsonValueKind.False => SchemaRef.False,
        JsonValueKind.Object => new SchemaRef(pointer),
        _ => throw Invalid(pointer[(pointer.LastIndexOf('/') + 1)..], pointer, "must be a schema"),
    };

    private static int NonNegative(JsonElement value, string keyword, string pointer)
    {
        DecimalNumber number;
        try
        {
            number = value.ValueKind == JsonValueKind.Number ? DecimalNumber.Parse(value.GetRawText()) : throw new FormatException();
        }
        catch (FormatException)
        {
            throw Invalid(keyword, pointer, "must be a non-negative integer");
        }

        if (number.Negative || !number.IsInteger)
        {
            throw Invalid(keyword, pointer, "must be a non-negative integer");
        }

        // Lengths beyond int.MaxValue cannot be generated anyway; for a maximum they are the same as int.MaxValue.
        return number.IntegerPart > int.MaxValue ? int.MaxValue : (int)number.IntegerPart;
    }

    private static DecimalNumber Number(JsonElement value, string keyword, string pointer)
    {
        if (value.ValueKind == JsonValueKind.True || value.ValueKind == JsonValueKind.False)
        {
            throw Invalid(keyword, pointer, "must be a number (the draft-4 boolean form is not supported)");
        }

        try
        {
            return value.ValueKind == JsonValueKind.Number ? DecimalNumber.Parse(value.GetRawText()) : throw new FormatException("must be a number");
        }
        catch (FormatException error)
        {
            throw Invalid(keyword, pointer, error.Message);
        }
    }

    private static Bound Max(Bound current, Bound candidate) => candidate.Value > current.Value ? candidate : current;

    private static Bound Min(Bound? current, Bound candidate) => current is null || candidate.Value < current.Value ? candidate : current;

    private static NumericBound Tighter(NumericBound? current, NumericBound candidate, bool lower)
    {
        if (current is null)
        {
            return candidate;
        }

        var comparison = candidate.Value.CompareTo(current.Value);
        if (comparison == 0)
        {
            return candidate.Exclusive ? candidate : current;
        }

        return (comparison > 0) == lower ? candidate : current;
    }

    private static UnsupportedSchemaException Invalid(string keyword, string pointer, string message) =>
        new(keyword, pointer, string.Create(CultureInfo.InvariantCulture, $"the value {message}"));
}

/// <summary>A non-negative integer bound and the pointer of its keyword.</summary>
internal sealed record Bound(int Value, string Pointer);

/// <summary>A numeric bound and the pointer of its keyword.</summary>
internal sealed record NumericBound(DecimalNumber Value, bool Exclusive, string Pointer);

/// <summary>A subschema position: a pointer, or the boolean schemas.</summary>
internal sealed record SchemaRef(string? Pointer, bool? Boolean = null)
{
    /// <summary>Gets the schema <c>true</c>.</summary>
    public static SchemaRef True { get; } = new(null, true);

    /// <summary>Gets the schema <c>false</c>.</summary>
    public static SchemaRef False { get; } = new(null, false);
}

/// <summary>What one schema object says about object properties.</summary>
internal sealed class ObjectAtom(string pointer)
{
    /// <summary>Gets the atom's pointer.</summary>
    public string Pointer { get; } = pointer;

    /// <summary>Gets the names in its <c>properties</c>.</summary>
    public HashSet<string> Declared { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets its <c>additionalProperties</c> (null when absent).</summary>
    public SchemaRef? Additional { get; set; }
}

/// <summary>What one schema object says about array items.</summary>
internal sealed class ArrayAtom(string pointer)
{
    /// <summary>Gets the atom's pointer.</summary>
    public string Pointer { get; } = pointer;

    /// <summary>Gets the positional item schemas (<c>prefixItems</c>, or array-form <c>items</c>).</summary>
    public List<string> Prefix { get; } = [];

    /// <summary>
    /// Gets or sets the schema of the items after the prefix (null when absent: any item): <c>items</c> in draft 2020-12
    /// and for schema-form <c>items</c>; <c>additionalItems</c> after array-form <c>items</c> in earlier drafts.
    /// </summary>
    public SchemaRef? Tail { get; set; }
}
