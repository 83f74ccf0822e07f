using System.Globalization;
using System.Text.Json;
using System.Xml;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// Reads a policy document (see docs/tools-and-policy.md) into rules, collecting every problem with its location instead of
/// stopping at the first. Property names and enumeration values are matched ignoring case; scalars may be strings (as they
/// are when the document comes from Microsoft.Extensions.Configuration); unknown properties are errors, with a suggestion.
/// </summary>
internal sealed class PolicyDocumentReader
{
    private static readonly string[] DocumentProperties = ["$schema", "format", "version", "description", "defaults", "rules"];
    private static readonly string[] DefaultsProperties = ["decisionLifetime", "readOnlyTools"];
    private static readonly string[] RuleProperties = ["id", "description", "action", "when", "outcome", "reasonCodes", "explanation", "decisionLifetime", "approval", "transform"];
    private static readonly string[] WhenProperties =
    [
        "tenants", "actorRoles", "actorKinds", "tools", "permissionClasses", "minSideEffect", "maxSideEffect", "egress", "egressOutside",
        "minRisk", "maxRisk", "arguments", "time", "taskKinds", "tags", "deployments", "regions",
    ];

    private static readonly string[] ArgumentProperties = ["path", "op", "value", "ignoreCase"];
    private static readonly string[] TimeProperties = ["days", "from", "to", "timeZone", "notBefore", "notAfter"];
    private static readonly string[] ApprovalProperties = ["approverRoles", "requireDistinctApprover", "expiresAfter", "allowChanges"];
    private static readonly string[] TransformProperties = ["op", "path", "value", "min", "max"];

    private readonly List<string> errors = [];

    public IReadOnlyList<string> Errors => errors;

    public PolicyDocument? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$: a policy document is a JSON object.");
            return null;
        }

        var document = Properties(root, "$", DocumentProperties);
        var format = RequiredString(document, "format", "$");
        if (format is not null && !string.Equals(format, PolicyDocument.CurrentFormat, StringComparison.Ordinal))
        {
            errors.Add($"format: '{format}' is not a policy document format this runtime reads; expected '{PolicyDocument.CurrentFormat}'.");
        }

        var version = RequiredString(document, "version", "$");
        var description = OptionalString(document, "description", "description");
        TimeSpan? lifetime = null;
        var readOnlyDefault = PolicyOutcome.Allow;
        if (document.TryGetValue("defaults", out var defaultsElement))
        {
            var defaults = ObjectProperties(defaultsElement, "defaults", DefaultsProperties);
            if (defaults is not null)
            {
                lifetime = Duration(defaults, "decisionLifetime", "defaults.decisionLifetime");
                if (defaults.TryGetValue("readOnlyTools", out var readOnly))
                {
                    readOnlyDefault = Enumeration(readOnly, "defaults.readOnlyTools", new Dictionary<string, PolicyOutcome>(StringComparer.OrdinalIgnoreCase) { ["allow"] = PolicyOutcome.Allow, ["deny"] = PolicyOutcome.Deny }) ?? PolicyOutcome.Allow;
                }
            }
        }

        var rules = new List<PolicyRule>();
        // An empty array disappears in Microsoft.Extensions.Configuration, so "no rules" may also mean "no property".
        if (document.TryGetValue("rules", out var rulesElement))
        {
            var items = Items(rulesElement, "rules");
            for (var i = 0; i < items.Count; i++)
            {
                if (ReadRule(items[i], $"rules[{i}]") is { } rule)
                {
                    rules.Add(rule);
                }
            }

            // Duplicate ids are reported even when the rules have other problems.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (item.ValueKind == JsonValueKind.Object
                    && item.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "id", StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } id
                    && !seen.Add(id.Value.GetString()!))
                {
                    errors.Add($"rules: the rule id '{id.Value.GetString()}' is used twice.");
                }
            }
        }

        if (errors.Count > 0 || version is null)
        {
            return null;
        }

        return new PolicyDocument
        {
            Version = version,
            Description = description,
            DefaultDecisionLifetime = lifetime,
            ReadOnlyToolDefault = readOnlyDefault,
            Rules = rules,
        };
    }

    private PolicyRule? ReadRule(JsonElement element, string path)
    {
        var before = errors.Count;
        var rule = ObjectProperties(element, path, RuleProperties);
        if (rule is null)
        {
            return null;
        }

        var id = RequiredString(rule, "id", path);
        var outcome = rule.TryGetValue("outcome", out var outcomeElement) ? Enumeration(outcomeElement, path + ".outcome", PolicyNames.Outcomes) : Missing<PolicyOutcome>(path + ".outcome", PolicyNames.Outcomes.Keys);
        var action = rule.TryGetValue("action", out var actionElement) ? Enumeration(actionElement, path + ".action", PolicyNames.Actions) ?? PolicyAction.ToolCall : PolicyAction.ToolCall;
        var result = new PolicyRule
        {
            Id = id ?? string.Empty,
            Outcome = outcome ?? PolicyOutcome.Deny,
            Action = action,
            Description = OptionalString(rule, "description", path + ".description"),
            Explanation = OptionalString(rule, "explanation", path + ".explanation"),
            ReasonCodes = StringList(rule, "reasonCodes", path + ".reasonCodes"),
            DecisionLifetime = Duration(rule, "decisionLifetime", path + ".decisionLifetime"),
            Approval = rule.TryGetValue("approval", out var approval) ? ReadApproval(approval, path + ".approval") : null,
            Transformations = rule.TryGetValue("transform", out var transform) ? ReadTransformations(transform, path + ".transform") : [],
        };

        if (rule.TryGetValue("when", out var whenElement))
        {
            result = ReadConditions(whenElement, path + ".when", result);
        }

        if (errors.Count > before)
        {
            return null;
        }

        // Semantic checks (pointers, expressions, time zones, outcome-specific parts) with this document's paths.
        var semantic = new List<string>();
        CompiledPolicyRule.Compile(result, path, semantic);
        errors.AddRange(semantic);
        return semantic.Count == 0 ? result : null;
    }

    private PolicyRule ReadConditions(JsonElement element, string path, PolicyRule rule)
    {
        var when = ObjectProperties(element, path, WhenProperties);
        if (when is null)
        {
            return rule;
        }

        return rule with
        {
            Tenants = StringList(when, "tenants", path + ".tenants"),
            ActorRoles = StringList(when, "actorRoles", path + ".actorRoles"),
            ActorKinds = EnumerationList(when, "actorKinds", path + ".actorKinds", PolicyNames.ActorKinds),
            Tools = StringList(when, "tools", path + ".tools"),
            PermissionClasses = StringList(when, "permissionClasses", path + ".permissionClasses"),
            MinSideEffect = when.TryGetValue("minSideEffect", out var min) ? Enumeration(min, path + ".minSideEffect", PolicyNames.SideEffects) : null,
            MaxSideEffect = when.TryGetValue("maxSideEffect", out var max) ? Enumeration(max, path + ".maxSideEffect", PolicyNames.SideEffects) : null,
            Egress = StringList(when, "egress", path + ".egress"),
            EgressOutside = StringList(when, "egressOutside", path + ".egressOutside"),
            MinRisk = when.TryGetValue("minRisk", out var minRisk) ? Enumeration(minRisk, path + ".minRisk", PolicyNames.RiskLevels) : null,
            MaxRisk = when.TryGetValue("maxRisk", out var maxRisk) ? Enumeration(maxRisk, path + ".maxRisk", PolicyNames.RiskLevels) : null,
            TaskKinds = StringList(when, "taskKinds", path + ".taskKinds"),
            Deployments = StringList(when, "deployments", path + ".deployments"),
            Regions = StringList(when, "regions", path + ".regions"),
            Tags = when.TryGetValue("tags", out var tags) ? ReadTags(tags, path + ".tags") : rule.Tags,
            Arguments = when.TryGetValue("arguments", out var arguments) ? ReadArguments(arguments, path + ".arguments") : [],
            Time = when.TryGetValue("time", out var time) ? ReadTime(time, path + ".time") : null,
        };
    }

    private List<ArgumentCondition> ReadArguments(JsonElement element, string path)
    {
        var conditions = new List<ArgumentCondition>();
        var items = Items(element, path);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var condition = ObjectProperties(items[i], itemPath, ArgumentProperties);
            if (condition is null)
            {
                continue;
            }

            var pointer = RequiredString(condition, "path", itemPath);
            var op = condition.TryGetValue("op", out var opElement) ? Enumeration(opElement, itemPath + ".op", PolicyNames.Operators) : Missing<ArgumentOperator>(itemPath + ".op", PolicyNames.Operators.Keys);
            var ignoreCase = Boolean(condition, "ignoreCase", itemPath + ".ignoreCase") ?? false;
            if (pointer is not null && op is { } op2)
            {
                conditions.Add(new ArgumentCondition
                {
                    Path = pointer,
                    Operator = op2,
                    Value = condition.TryGetValue("value", out var value) ? value.Clone() : null,
                    IgnoreCase = ignoreCase,
                });
            }
        }

        return conditions;
    }

    private PolicyTimeWindow? ReadTime(JsonElement element, string path)
    {
        var time = ObjectProperties(element, path, TimeProperties);
        if (time is null)
        {
            return null;
        }

        return new PolicyTimeWindow
        {
            Days = EnumerationList(time, "days", path + ".days", PolicyNames.Days),
            From = TimeOfDay(time, "from", path + ".from"),
            To = TimeOfDay(time, "to", path + ".to"),
            TimeZone = OptionalString(time, "timeZone", path + ".timeZone") ?? "UTC",
            NotBefore = Instant(time, "notBefore", path + ".notBefore"),
            NotAfter = Instant(time, "notAfter", path + ".notAfter"),
        };
    }

    private ApprovalRequirement? ReadApproval(JsonElement element, string path)
    {
        var approval = ObjectProperties(element, path, ApprovalProperties);
        if (approval is null)
        {
            return null;
        }

        var defaults = new ApprovalRequirement();
        return new ApprovalRequirement
        {
            ApproverRoles = StringList(approval, "approverRoles", path + ".approverRoles"),
            RequireDistinctApprover = Boolean(approval, "requireDistinctApprover", path + ".requireDistinctApprover") ?? defaults.RequireDistinctApprover,
            ExpiresAfter = Duration(approval, "expiresAfter", path + ".expiresAfter") ?? defaults.ExpiresAfter,
            AllowChanges = Boolean(approval, "allowChanges", path + ".allowChanges") ?? defaults.AllowChanges,
        };
    }

    private List<ArgumentTransformation> ReadTransformations(JsonElement element, string path)
    {
        var result = new List<ArgumentTransformation>();
        var items = Items(element, path);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var transform = ObjectProperties(items[i], itemPath, TransformProperties);
            if (transform is null)
            {
                continue;
            }

            var kind = transform.TryGetValue("op", out var opElement) ? Enumeration(opElement, itemPath + ".op", PolicyNames.Transformations) : Missing<ArgumentTransformKind>(itemPath + ".op", PolicyNames.Transformations.Keys);
            var pointer = RequiredString(transform, "path", itemPath);
            var minimum = Number(transform, "min", itemPath + ".min");
            var maximum = Number(transform, "max", itemPath + ".max");
            if (kind is { } k && pointer is not null)
            {
                result.Add(new ArgumentTransformation
                {
                    Kind = k,
                    Path = pointer,
                    Value = transform.TryGetValue("value", out var value) ? value.Clone() : null,
                    Minimum = minimum,
                    Maximum = maximum,
                });
            }
        }

        return result;
    }

    private Dictionary<string, string> ReadTags(JsonElement element, string path)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: expected an object of tag names and values.");
            return tags;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (Scalar(property.Value) is { } value)
            {
                tags[property.Name] = value;
            }
            else
            {
                errors.Add($"{path}.{property.Name}: a tag value must be a string.");
            }
        }

        return tags;
    }

    private Dictionary<string, JsonElement> Properties(JsonElement element, string path, string[] known)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            var name = known.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                var suggestion = Suggest(property.Name, known);
                errors.Add($"{(path == "$" ? string.Empty : path + ".")}{property.Name}: unknown property{(suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)")}; expected one of {string.Join(", ", known)}.");
                continue;
            }

            if (!properties.TryAdd(name, property.Value))
            {
                errors.Add($"{(path == "$" ? string.Empty : path + ".")}{property.Name}: given twice.");
            }
        }

        return properties;
    }

    private Dictionary<string, JsonElement>? ObjectProperties(JsonElement element, string path, string[] known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: expected an object.");
            return null;
        }

        return Properties(element, path, known);
    }

    private List<JsonElement> Items(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            return [.. element.EnumerateArray()];
        }

        errors.Add($"{path}: expected an array.");
        return [];
    }

    private string? RequiredString(Dictionary<string, JsonElement> properties, string name, string path)
    {
        var full = path == "$" ? name : path + "." + name;
        if (!properties.TryGetValue(name, out var element))
        {
            errors.Add($"{full}: required.");
            return null;
        }

        var value = Scalar(element);
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{full}: expected a non-empty string.");
            return null;
        }

        return value;
    }

    private string? OptionalString(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}: expected a string.");
            return null;
        }

        return element.GetString();
    }

    private List<string> StringList(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return [];
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return [element.GetString()!];
        }

        var result = new List<string>();
        var items = Items(element, path);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(items[i].GetString()))
            {
                result.Add(items[i].GetString()!);
            }
            else
            {
                errors.Add($"{path}[{i}]: expected a non-empty string.");
            }
        }

        return result;
    }

    private T? Enumeration<T>(JsonElement element, string path, IReadOnlyDictionary<string, T> names)
        where T : struct
    {
        if (element.ValueKind == JsonValueKind.String && names.TryGetValue(element.GetString()!, out var value))
        {
            return value;
        }

        errors.Add($"{path}: '{Scalar(element) ?? element.GetRawText()}' is not one of {string.Join(", ", names.Keys)}.");
        return null;
    }

    private List<T> EnumerationList<T>(Dictionary<string, JsonElement> properties, string name, string path, IReadOnlyDictionary<string, T> names)
        where T : struct
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return [];
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return Enumeration(element, path, names) is { } single ? [single] : [];
        }

        var result = new List<T>();
        var items = Items(element, path);
        for (var i = 0; i < items.Count; i++)
        {
            if (Enumeration(items[i], $"{path}[{i}]", names) is { } value)
            {
                result.Add(value);
            }
        }

        return result;
    }

    private T? Missing<T>(string path, IEnumerable<string> expected)
        where T : struct
    {
        errors.Add($"{path}: required; one of {string.Join(", ", expected)}.");
        return null;
    }

    private bool? Boolean(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String when bool.TryParse(element.GetString(), out var parsed):
                return parsed;
            default:
                errors.Add($"{path}: expected true or false.");
                return null;
        }
    }

    private decimal? Number(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return null;
        }

        if (JsonValueComparer.TryNumber(element, out var number) && number.AsDecimal is { } value)
        {
            return value;
        }

        errors.Add($"{path}: expected a number.");
        return null;
    }

    private TimeSpan? Duration(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return null;
        }

        var text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        TimeSpan value = default;
        var parsed = text is not null && (text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal)
            ? TryIso8601(text, out value)
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value));
        if (!parsed)
        {
            errors.Add($"{path}: '{text ?? element.GetRawText()}' is not a duration; use ISO 8601 ('PT15M', 'P1D') or 'hh:mm:ss'.");
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{path}: the duration must be positive.");
            return null;
        }

        return value;
    }

    private TimeOnly? TimeOfDay(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String
            && TimeOnly.TryParseExact(element.GetString(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        errors.Add($"{path}: '{Scalar(element) ?? element.GetRawText()}' is not a time of day; use 'HH:mm' (24-hour).");
        return null;
    }

    private DateTimeOffset? Instant(Dictionary<string, JsonElement> properties, string name, string path)
    {
        if (!properties.TryGetValue(name, out var element))
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors.Add($"{path}: '{Scalar(element) ?? element.GetRawText()}' is not an ISO 8601 date and time.");
        return null;
    }

    private static bool TryIso8601(string text, out TimeSpan value)
    {
        try
        {
            value = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            value = default;
            return false;
        }
        catch (OverflowException)
        {
            value = default;
            return false;
        }
    }

    private static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => null,
    };

    private static string? Suggest(string name, string[] known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return bestDistance <= Math.Max(2, name.Length / 4) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
