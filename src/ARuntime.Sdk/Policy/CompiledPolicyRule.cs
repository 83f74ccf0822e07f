using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ARuntime.Sdk.Contracts;
using Json.Pointer;

namespace ARuntime.Sdk.Policy;

/// <summary>
/// A <see cref="PolicyRule"/> checked and prepared once (pointers parsed, expressions compiled, time zone resolved), so that
/// evaluating it per call does no parsing. <see cref="Compile"/> reports every problem of a rule with its location.
/// </summary>
internal sealed partial class CompiledPolicyRule
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private readonly CompiledCondition[] arguments;
    private readonly (string[] Segments, ArgumentTransformation Transformation)[] transformations;
    private readonly TimeZoneInfo? timeZone;

    private CompiledPolicyRule(PolicyRule rule, CompiledCondition[] arguments, (string[], ArgumentTransformation)[] transformations, TimeZoneInfo? timeZone)
    {
        Rule = rule;
        this.arguments = arguments;
        this.transformations = transformations;
        this.timeZone = timeZone;
    }

    public PolicyRule Rule { get; }

    public bool HasTransformations => transformations.Length > 0;

    [GeneratedRegex("^[A-Za-z0-9_.:@/-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    /// <summary>Checks and prepares a rule; returns <see langword="null"/> and adds to <paramref name="errors"/> when it is invalid.</summary>
    public static CompiledPolicyRule? Compile(PolicyRule? rule, string location, List<string> errors)
    {
        var before = errors.Count;
        void Error(string message) => errors.Add($"{location}: {message}");
        if (rule is null)
        {
            Error("the rule is null.");
            return null;
        }

        location = string.IsNullOrWhiteSpace(rule.Id) ? location : $"{location} ('{rule.Id}')";
        if (string.IsNullOrWhiteSpace(rule.Id) || !IdPattern().IsMatch(rule.Id))
        {
            Error("the id must be 1-128 characters of letters, digits and _ . : @ / -.");
        }

        if (!Enum.IsDefined(rule.Outcome))
        {
            Error($"'{rule.Outcome}' is not an outcome.");
        }

        if (!Enum.IsDefined(rule.Action))
        {
            Error($"'{rule.Action}' is not an action.");
        }

        var toolRule = rule.Action is PolicyAction.ToolCall or PolicyAction.ApprovedChange;
        void ToolOnly(bool isSet, string condition)
        {
            if (isSet && !toolRule)
            {
                Error($"the condition '{condition}' applies only to tool-call rules (action toolCall or approvedChange), not to {rule.Action}.");
            }
        }

        ToolOnly(rule.Tools.Count > 0, "tools");
        ToolOnly(rule.PermissionClasses.Count > 0, "permissionClasses");
        ToolOnly(rule.MinSideEffect is not null || rule.MaxSideEffect is not null, "minSideEffect/maxSideEffect");
        ToolOnly(rule.Egress.Count > 0 || rule.EgressOutside.Count > 0, "egress/egressOutside");
        ToolOnly(rule.Arguments.Count > 0, "arguments");
        if ((rule.Deployments.Count > 0 || rule.Regions.Count > 0) && rule.Action != PolicyAction.ModelRoute)
        {
            Error("the conditions 'deployments' and 'regions' apply only to modelRoute rules.");
        }

        if (rule.MinSideEffect is { } minEffect && rule.MaxSideEffect is { } maxEffect && minEffect > maxEffect)
        {
            Error($"minSideEffect {minEffect} is above maxSideEffect {maxEffect}; the rule could never match.");
        }

        if (rule.MinRisk is { } minRisk && rule.MaxRisk is { } maxRisk && minRisk > maxRisk)
        {
            Error($"minRisk {minRisk} is above maxRisk {maxRisk}; the rule could never match.");
        }

        CheckNames(rule.Tools, "tools", Error);
        CheckNames(rule.Tenants, "tenants", Error);
        CheckNames(rule.ActorRoles, "actorRoles", Error);
        CheckNames(rule.PermissionClasses, "permissionClasses", Error);
        CheckNames(rule.TaskKinds, "taskKinds", Error);
        CheckNames(rule.Deployments, "deployments", Error);
        CheckNames(rule.Regions, "regions", Error);
        CheckNames(rule.ReasonCodes, "reasonCodes", Error);
        foreach (var kind in rule.ActorKinds)
        {
            if (!Enum.IsDefined(kind))
            {
                Error($"'{kind}' is not an actor kind.");
            }
        }

        foreach (var pattern in rule.Egress.Concat(rule.EgressOutside))
        {
            if (!EgressPattern.IsValid(pattern))
            {
                Error($"egress pattern '{pattern}' is invalid: use a host or resource name, '*.domain' or '*'.");
            }
        }

        var conditions = new List<CompiledCondition>(rule.Arguments.Count);
        for (var i = 0; i < rule.Arguments.Count; i++)
        {
            if (CompileCondition(rule.Arguments[i], $"arguments[{i}]", Error) is { } compiled)
            {
                conditions.Add(compiled);
            }
        }

        var zone = CompileTime(rule.Time, Error);
        var transforms = CompileTransformations(rule, Error);
        CheckDecision(rule, Error);
        return errors.Count == before ? new CompiledPolicyRule(rule, [.. conditions], transforms, zone) : null;
    }

    /// <summary>Returns whether the rule applies to the context. May throw (a faulty code condition); the engine then denies.</summary>
    public bool Matches(PolicyContext context)
    {
        var rule = Rule;
        if (rule.Action != context.Action && !(rule.Action == PolicyAction.ToolCall && context.Action == PolicyAction.ApprovedChange))
        {
            return false;
        }

        var tool = context.Tool;
        if (rule.Tools.Count > 0 && (tool is null || !Contains(rule.Tools, tool.Name)))
        {
            return false;
        }

        if (rule.Tenants.Count > 0 && !Contains(rule.Tenants, context.Identity.TenantId))
        {
            return false;
        }

        if (rule.ActorRoles.Count > 0 && !rule.ActorRoles.Any(role => Contains(context.Identity.Actor.Roles, role)))
        {
            return false;
        }

        if (rule.ActorKinds.Count > 0 && !rule.ActorKinds.Contains(context.Identity.Actor.Kind))
        {
            return false;
        }

        if (rule.PermissionClasses.Count > 0 && (tool is null || !Contains(rule.PermissionClasses, tool.PermissionClass)))
        {
            return false;
        }

        if ((rule.MinSideEffect is { } min && (tool is null || tool.SideEffect < min))
            || (rule.MaxSideEffect is { } max && (tool is null || tool.SideEffect > max)))
        {
            return false;
        }

        if (rule.Egress.Count > 0 && (tool is null || !tool.Egress.Any(e => EgressPattern.MatchesAny(rule.Egress, e))))
        {
            return false;
        }

        if (rule.EgressOutside.Count > 0 && (tool is null || tool.Egress.All(e => EgressPattern.MatchesAny(rule.EgressOutside, e))))
        {
            return false;
        }

        if ((rule.MinRisk is { } minRisk && context.Risk.Level < minRisk) || (rule.MaxRisk is { } maxRisk && context.Risk.Level > maxRisk))
        {
            return false;
        }

        if (rule.TaskKinds.Count > 0 && (context.TaskKind is null || !Contains(rule.TaskKinds, context.TaskKind)))
        {
            return false;
        }

        foreach (var (key, value) in rule.Tags)
        {
            if (!context.Tags.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        if ((rule.Deployments.Count > 0 && (context.Deployment is null || !Contains(rule.Deployments, context.Deployment)))
            || (rule.Regions.Count > 0 && (context.Region is null || !Contains(rule.Regions, context.Region))))
        {
            return false;
        }

        if (rule.Time is { } window && !InWindow(window, context.Now))
        {
            return false;
        }

        if (arguments.Length > 0)
        {
            var args = context.Arguments ?? default;
            foreach (var condition in arguments)
            {
                if (!condition.Holds(args))
                {
                    return false;
                }
            }
        }

        return rule.Condition is null || rule.Condition(context);
    }

    /// <summary>Applies the rule's declarative transformations, then its code transformation, to the arguments.</summary>
    public JsonElement TransformArguments(PolicyContext context)
    {
        var arguments = context.Arguments ?? throw new InvalidOperationException("The call has no arguments to transform.");
        if (transformations.Length > 0)
        {
            arguments = ArgumentTransformer.Apply(arguments, transformations);
        }

        return Rule.Transform is { } transform ? transform(context with { Arguments = arguments }) : arguments;
    }

    private bool InWindow(PolicyTimeWindow window, DateTimeOffset now)
    {
        if ((window.NotBefore is { } notBefore && now < notBefore) || (window.NotAfter is { } notAfter && now >= notAfter))
        {
            return false;
        }

        var local = TimeZoneInfo.ConvertTime(now, timeZone ?? TimeZoneInfo.Utc);
        if (window.Days.Count > 0 && !window.Days.Contains(local.DayOfWeek))
        {
            return false;
        }

        if (window.From is null && window.To is null)
        {
            return true;
        }

        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        var from = window.From ?? TimeOnly.MinValue;
        return window.To is not { } to
            ? time >= from
            : from <= to ? time >= from && time < to : time >= from || time < to;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        foreach (var candidate in values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckNames(IReadOnlyList<string> names, string condition, Action<string> error)
    {
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                error($"'{condition}' contains a blank entry.");
            }
        }
    }

    private static CompiledCondition? CompileCondition(ArgumentCondition? condition, string location, Action<string> error)
    {
        if (condition is null)
        {
            error($"{location} is null.");
            return null;
        }

        var ok = true;
        void Fail(string message)
        {
            error($"{location}: {message}");
            ok = false;
        }

        if (!JsonPointer.TryParse(condition.Path ?? string.Empty, out var pointer) || string.IsNullOrEmpty(condition.Path))
        {
            Fail($"path '{condition.Path}' is not a JSON Pointer to an argument (RFC 6901, for example '/amount').");
        }

        if (!Enum.IsDefined(condition.Operator))
        {
            Fail($"'{condition.Operator}' is not an operator.");
            return null;
        }

        Regex? regex = null;
        var value = condition.Value;
        switch (condition.Operator)
        {
            case ArgumentOperator.Exists or ArgumentOperator.NotExists:
                if (value is not null)
                {
                    Fail($"'{PolicyNames.Operator(condition.Operator)}' takes no value.");
                }

                break;
            case ArgumentOperator.In or ArgumentOperator.NotIn:
                if (value is not { ValueKind: JsonValueKind.Array })
                {
                    Fail($"'{PolicyNames.Operator(condition.Operator)}' needs an array of values.");
                }

                break;
            case ArgumentOperator.Matches:
                if (value is not { ValueKind: JsonValueKind.String } pattern)
                {
                    Fail("'matches' needs a regular expression string.");
                    break;
                }

                try
                {
                    regex = new Regex(pattern.GetString()!, RegexOptions.CultureInvariant | (condition.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None), RegexTimeout);
                }
                catch (ArgumentException ex)
                {
                    Fail($"'{pattern.GetString()}' is not a valid regular expression ({ex.Message}).");
                }

                break;
            case ArgumentOperator.StartsWith or ArgumentOperator.EndsWith:
                if (value is not { ValueKind: JsonValueKind.String })
                {
                    Fail($"'{PolicyNames.Operator(condition.Operator)}' needs a string value.");
                }

                break;
            case ArgumentOperator.LessThan or ArgumentOperator.LessThanOrEqual or ArgumentOperator.GreaterThan or ArgumentOperator.GreaterThanOrEqual:
                if (value is not { ValueKind: JsonValueKind.Number or JsonValueKind.String })
                {
                    Fail($"'{PolicyNames.Operator(condition.Operator)}' needs a number or string value.");
                }

                break;
            default:
                if (value is null || value.Value.ValueKind == JsonValueKind.Undefined)
                {
                    Fail($"'{PolicyNames.Operator(condition.Operator)}' needs a value.");
                }

                break;
        }

        return ok ? new CompiledCondition(pointer, condition, regex) : null;
    }

    private static TimeZoneInfo? CompileTime(PolicyTimeWindow? window, Action<string> error)
    {
        if (window is null)
        {
            return null;
        }

        if (window.NotBefore is { } notBefore && window.NotAfter is { } notAfter && notBefore >= notAfter)
        {
            error("time: notBefore must be earlier than notAfter.");
        }

        if (window.From is { } from && window.To is { } to && from == to)
        {
            error("time: from and to are equal; the window would be empty.");
        }

        foreach (var day in window.Days)
        {
            if (!Enum.IsDefined(day))
            {
                error($"time: '{day}' is not a day of the week.");
            }
        }

        if (string.IsNullOrWhiteSpace(window.TimeZone) || string.Equals(window.TimeZone, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(window.TimeZone, out var zone))
        {
            return zone;
        }

        error($"time: time zone '{window.TimeZone}' is not known on this system (use an IANA id such as 'Europe/Oslo').");
        return null;
    }

    private static (string[], ArgumentTransformation)[] CompileTransformations(PolicyRule rule, Action<string> error)
    {
        if (rule.Outcome == PolicyOutcome.Transform && rule.Transformations.Count == 0 && rule.Transform is null)
        {
            error("a transform rule needs transformations (or a Transform function).");
        }

        if (rule.Outcome != PolicyOutcome.Transform && (rule.Transformations.Count > 0 || rule.Transform is not null))
        {
            error($"transformations apply only to transform rules, not to {PolicyNames.Outcome(rule.Outcome)} rules.");
        }

        var compiled = new List<(string[], ArgumentTransformation)>(rule.Transformations.Count);
        for (var i = 0; i < rule.Transformations.Count; i++)
        {
            var t = rule.Transformations[i];
            var location = $"transform[{i}]";
            if (t is null)
            {
                error($"{location} is null.");
                continue;
            }

            if (!Enum.IsDefined(t.Kind))
            {
                error($"{location}: '{t.Kind}' is not a transformation.");
                continue;
            }

            if (!JsonPointer.TryParse(t.Path ?? string.Empty, out var pointer) || pointer.SegmentCount == 0)
            {
                error($"{location}: path '{t.Path}' is not a JSON Pointer to an argument (RFC 6901, for example '/amount').");
                continue;
            }

            var ok = true;
            switch (t.Kind)
            {
                case ArgumentTransformKind.Set when t.Value is null:
                    error($"{location}: 'set' needs a value.");
                    ok = false;
                    break;
                case ArgumentTransformKind.KeepOnly when t.Value is not { ValueKind: JsonValueKind.Array }:
                    error($"{location}: 'keepOnly' needs an array of the values to keep.");
                    ok = false;
                    break;
                case ArgumentTransformKind.Clamp when t.Minimum is null && t.Maximum is null:
                    error($"{location}: 'clamp' needs a min or a max.");
                    ok = false;
                    break;
                case ArgumentTransformKind.Clamp when t.Minimum > t.Maximum:
                    error(string.Create(CultureInfo.InvariantCulture, $"{location}: 'clamp' min {t.Minimum} is above max {t.Maximum}."));
                    ok = false;
                    break;
            }

            if (ok)
            {
                compiled.Add((ArgumentTransformer.Segments(pointer), t));
            }
        }

        return [.. compiled];
    }

    private static void CheckDecision(PolicyRule rule, Action<string> error)
    {
        var approvalOutcome = rule.Outcome is PolicyOutcome.RequireApproval or PolicyOutcome.Escalate;
        if (rule.Approval is { } approval)
        {
            if (!approvalOutcome)
            {
                error($"'approval' applies only to requireApproval and escalate rules, not to {PolicyNames.Outcome(rule.Outcome)} rules.");
            }

            if (approval.ExpiresAfter <= TimeSpan.Zero)
            {
                error("approval.expiresAfter must be positive.");
            }

            CheckNames(approval.ApproverRoles, "approval.approverRoles", error);
        }

        if (rule.Outcome == PolicyOutcome.Escalate && rule.Approval is not { ApproverRoles.Count: > 0 })
        {
            error("an escalate rule must name the higher authority: approval.approverRoles.");
        }

        if (rule.DecisionLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            error("decisionLifetime must be positive.");
        }
    }

    /// <summary>One argument condition, with its pointer parsed and its expression compiled.</summary>
    private sealed class CompiledCondition(JsonPointer pointer, ArgumentCondition condition, Regex? regex)
    {
        public bool Holds(JsonElement arguments)
        {
            var found = arguments.ValueKind == JsonValueKind.Undefined ? null : pointer.Evaluate(arguments);
            var op = condition.Operator;
            if (found is not { } value)
            {
                return op is ArgumentOperator.NotExists or ArgumentOperator.NotEqual or ArgumentOperator.NotIn;
            }

            var operand = condition.Value ?? default;
            var ignoreCase = condition.IgnoreCase;
            var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return op switch
            {
                ArgumentOperator.Exists => true,
                ArgumentOperator.NotExists => false,
                ArgumentOperator.Equal => JsonValueComparer.AreEqual(value, operand, ignoreCase),
                ArgumentOperator.NotEqual => !JsonValueComparer.AreEqual(value, operand, ignoreCase),
                ArgumentOperator.LessThan => JsonValueComparer.Compare(value, operand, ignoreCase) is < 0,
                ArgumentOperator.LessThanOrEqual => JsonValueComparer.Compare(value, operand, ignoreCase) is <= 0,
                ArgumentOperator.GreaterThan => JsonValueComparer.Compare(value, operand, ignoreCase) is > 0,
                ArgumentOperator.GreaterThanOrEqual => JsonValueComparer.Compare(value, operand, ignoreCase) is >= 0,
                ArgumentOperator.In => operand.EnumerateArray().Any(o => JsonValueComparer.AreEqual(value, o, ignoreCase)),
                ArgumentOperator.NotIn => !operand.EnumerateArray().Any(o => JsonValueComparer.AreEqual(value, o, ignoreCase)),
                ArgumentOperator.Matches => value.ValueKind == JsonValueKind.String && regex!.IsMatch(value.GetString()!),
                ArgumentOperator.StartsWith => value.ValueKind == JsonValueKind.String && value.GetString()!.StartsWith(operand.GetString()!, comparison),
                ArgumentOperator.EndsWith => value.ValueKind == JsonValueKind.String && value.GetString()!.EndsWith(operand.GetString()!, comparison),
                ArgumentOperator.Contains => value.ValueKind switch
                {
                    JsonValueKind.String => operand.ValueKind == JsonValueKind.String && value.GetString()!.Contains(operand.GetString()!, comparison),
                    JsonValueKind.Array => value.EnumerateArray().Any(item => JsonValueComparer.AreEqual(item, operand, ignoreCase)),
                    _ => false,
                },
                _ => false,
            };
        }
    }
}
