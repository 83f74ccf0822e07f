using System.Text;

namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// The named rules of a grammar under construction. Names are reserved first (so recursive schemas can refer to a rule
/// before its body exists) and defined later; every name is a valid GBNF rule name (letters, digits and <c>-</c>).
/// </summary>
internal sealed class GbnfRuleSet
{
    private readonly Dictionary<string, GbnfExpr?> rules = new(StringComparer.Ordinal);
    private readonly List<string> order = [];
    private readonly Dictionary<string, string> origins = new(StringComparer.Ordinal);

    /// <summary>Gets the rule names in the order they were reserved.</summary>
    public IReadOnlyList<string> Names => order;

    /// <summary>Gets the number of rules.</summary>
    public int Count => order.Count;

    /// <summary>Reserves a fresh rule name derived from <paramref name="hint"/>.</summary>
    public string Reserve(string hint)
    {
        var baseName = Sanitize(hint);
        var name = baseName;
        for (var suffix = 2; rules.ContainsKey(name); suffix++)
        {
            name = $"{baseName}-{suffix.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        rules.Add(name, null);
        order.Add(name);
        return name;
    }

    /// <summary>Defines (or redefines) the body of a reserved rule.</summary>
    public void Define(string name, GbnfExpr body)
    {
        if (!rules.ContainsKey(name))
        {
            throw new InvalidOperationException($"Rule '{name}' was not reserved.");
        }

        rules[name] = body;
    }

    /// <summary>Records the JSON Pointer of the schema a rule stands for (used in error messages).</summary>
    public void SetOrigin(string name, string jsonPointer) => origins[name] = jsonPointer;

    /// <summary>Gets the JSON Pointer of the schema a rule stands for, if recorded.</summary>
    public string? GetOrigin(string name) => origins.TryGetValue(name, out var pointer) ? pointer : null;

    /// <summary>Returns whether <paramref name="name"/> has a body.</summary>
    public bool IsDefined(string name) => rules.TryGetValue(name, out var body) && body is not null;

    /// <summary>Gets the body of a defined rule.</summary>
    public GbnfExpr this[string name] =>
        rules.TryGetValue(name, out var body) && body is not null
            ? body
            : throw new InvalidOperationException($"Rule '{name}' has no body.");

    /// <summary>Removes a rule.</summary>
    public void Remove(string name)
    {
        if (rules.Remove(name))
        {
            order.Remove(name);
        }
    }

    /// <summary>Turns arbitrary text (a JSON Pointer, a property name) into a readable rule name.</summary>
    public static string Sanitize(string hint)
    {
        var builder = new StringBuilder();
        foreach (var c in hint ?? string.Empty)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }

            if (builder.Length >= 48)
            {
                break;
            }
        }

        var name = builder.ToString().Trim('-');
        return name.Length == 0 ? "r" : name;
    }
}
