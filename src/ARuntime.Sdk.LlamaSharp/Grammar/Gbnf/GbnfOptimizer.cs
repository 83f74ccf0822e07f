namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>
/// Cleans a rule set before it is written: removes alternatives that can never finish (so sampling can never reach a
/// dead end), inlines rules used once, shares identical rules and drops unreachable ones.
/// </summary>
internal static class GbnfOptimizer
{
    /// <summary>Optimizes <paramref name="rules"/> in place.</summary>
    /// <returns><see langword="null"/> when the root can produce some string; otherwise why it cannot.</returns>
    public static UnsatisfiableCause? Optimize(GbnfRuleSet rules, string root)
    {
        var rootCause = PruneUnproductive(rules, root);
        if (rootCause is not null)
        {
            return rootCause;
        }

        RemoveUnreachable(rules, root);
        for (var pass = 0; pass < 8; pass++)
        {
            var changed = ShareIdentical(rules, root);
            changed |= Inline(rules, root);
            RemoveUnreachable(rules, root);
            if (!changed)
            {
                break;
            }
        }

        return null;
    }

    private static UnsatisfiableCause? PruneUnproductive(GbnfRuleSet rules, string root)
    {
        var productive = new HashSet<string>(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var name in rules.Names)
            {
                if (!productive.Contains(name) && IsProductive(rules[name], productive))
                {
                    productive.Add(name);
                    changed = true;
                }
            }
        }
        while (changed);

        // The cause of an unproductive rule: an unsatisfiable part inside it or inside an unproductive rule it uses;
        // with none, it only ever recurses.
        UnsatisfiableCause? FindDeepCause(string name, HashSet<string> visited)
        {
            if (!visited.Add(name))
            {
                return null;
            }

            return GbnfRewriter.FindCause(rules[name]) ?? GbnfRewriter.References(rules[name])
                .Where(r => !productive.Contains(r) && rules.IsDefined(r))
                .Select(r => FindDeepCause(r, visited))
                .FirstOrDefault(c => c is not null);
        }

        var causes = new Dictionary<string, UnsatisfiableCause>(StringComparer.Ordinal);
        foreach (var name in rules.Names.Where(n => !productive.Contains(n)))
        {
            causes[name] = FindDeepCause(name, new HashSet<string>(StringComparer.Ordinal)) ?? new UnsatisfiableCause(
                "$ref",
                rules.GetOrigin(name) ?? string.Empty,
                "the schema requires itself recursively with no way to end, so no finite JSON value satisfies it");
        }

        if (causes.TryGetValue(root, out var rootCause))
        {
            return rootCause;
        }

        foreach (var name in rules.Names.Where(productive.Contains).ToList())
        {
            var body = GbnfRewriter.ReplaceRefs(
                rules[name],
                r => causes.TryGetValue(r.Name, out var cause) ? new GbnfNever(cause) : r);
            if (body is GbnfNever never)
            {
                // Cannot happen for a productive rule; fail loudly rather than emit a dead end.
                throw new InvalidOperationException($"Rule '{name}' became unsatisfiable: {never.Cause.Message}");
            }

            rules.Define(name, body);
        }

        foreach (var name in causes.Keys)
        {
            rules.Remove(name);
        }

        return null;
    }

    private static bool IsProductive(GbnfExpr expr, HashSet<string> productive) => expr switch
    {
        GbnfLiteral or GbnfCharClass or GbnfEmpty => true,
        GbnfNever => false,
        GbnfRuleRef reference => productive.Contains(reference.Name),
        GbnfSequence sequence => sequence.Items.All(i => IsProductive(i, productive)),
        GbnfChoice choice => choice.Items.Any(i => IsProductive(i, productive)),
        GbnfRepeat repeat => repeat.Min == 0 || IsProductive(repeat.Item, productive),
        _ => false,
    };

    private static void RemoveUnreachable(GbnfRuleSet rules, string root)
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal) { root };
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            foreach (var name in GbnfRewriter.References(rules[pending.Pop()]))
            {
                if (reachable.Add(name))
                {
                    pending.Push(name);
                }
            }
        }

        foreach (var name in rules.Names.Where(n => !reachable.Contains(n)).ToList())
        {
            rules.Remove(name);
        }
    }

    private static bool ShareIdentical(GbnfRuleSet rules, string root)
    {
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in rules.Names)
        {
            if (name == root)
            {
                continue;
            }

            var key = rules[name].Key;
            if (byKey.TryGetValue(key, out var existing))
            {
                replacements[name] = existing;
            }
            else
            {
                byKey[key] = name;
            }
        }

        if (replacements.Count == 0)
        {
            return false;
        }

        foreach (var name in rules.Names.ToList())
        {
            if (replacements.ContainsKey(name))
            {
                rules.Remove(name);
                continue;
            }

            rules.Define(name, GbnfRewriter.ReplaceRefs(
                rules[name],
                r => replacements.TryGetValue(r.Name, out var target) ? G.Ref(target) : r));
        }

        return true;
    }

    private static bool Inline(GbnfRuleSet rules, string root)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in rules.Names)
        {
            foreach (var reference in GbnfRewriter.References(rules[name]))
            {
                counts[reference] = counts.GetValueOrDefault(reference) + 1;
            }
        }

        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in rules.Names)
        {
            CollectRepeatedRefs(rules[name], repeated);
        }

        var recursive = FindRecursive(rules);
        var inlinable = new Dictionary<string, GbnfExpr>(StringComparer.Ordinal);
        foreach (var name in rules.Names)
        {
            if (name == root || recursive.Contains(name))
            {
                continue;
            }

            var body = rules[name];
            var tiny = body is GbnfLiteral or GbnfCharClass or GbnfRuleRef;
            // A rule repeated as a whole stays named: the writer would have to extract it again.
            if (tiny || (counts.GetValueOrDefault(name) == 1 && !repeated.Contains(name)))
            {
                inlinable[name] = body;
            }
        }

        if (inlinable.Count == 0)
        {
            return false;
        }

        // Inline one level at a time; the next pass picks up chains.
        var changed = false;
        foreach (var name in rules.Names.ToList())
        {
            if (inlinable.ContainsKey(name))
            {
                continue;
            }

            var before = rules[name];
            var after = GbnfRewriter.ReplaceRefs(before, r => inlinable.TryGetValue(r.Name, out var body) ? body : r);
            if (!ReferenceEquals(before, after) && before.Key != after.Key)
            {
                rules.Define(name, after);
                changed = true;
            }
        }

        return changed;
    }

    private static void CollectRepeatedRefs(GbnfExpr expr, HashSet<string> repeated)
    {
        switch (expr)
        {
            case GbnfRepeat { Item: GbnfRuleRef reference }:
                repeated.Add(reference.Name);
                break;
            case GbnfRepeat repeat:
                CollectRepeatedRefs(repeat.Item, repeated);
                break;
            case GbnfSequence sequence:
                foreach (var item in sequence.Items)
                {
                    CollectRepeatedRefs(item, repeated);
                }

                break;
            case GbnfChoice choice:
                foreach (var item in choice.Items)
                {
                    CollectRepeatedRefs(item, repeated);
                }

                break;
        }
    }

    private static HashSet<string> FindRecursive(GbnfRuleSet rules)
    {
        // A rule is recursive when it can reach itself; those stay named so the grammar stays finite.
        var edges = rules.Names.ToDictionary(
            n => n,
            n => GbnfRewriter.References(rules[n]).Distinct(StringComparer.Ordinal).ToList(),
            StringComparer.Ordinal);
        var recursive = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in rules.Names)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>(edges[start]);
            while (pending.Count > 0)
            {
                var next = pending.Pop();
                if (next == start)
                {
                    recursive.Add(start);
                    break;
                }

                if (seen.Add(next) && edges.TryGetValue(next, out var targets))
                {
                    foreach (var target in targets)
                    {
                        pending.Push(target);
                    }
                }
            }
        }

        return recursive;
    }
}
