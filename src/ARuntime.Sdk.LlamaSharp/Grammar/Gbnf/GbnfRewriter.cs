namespace ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

/// <summary>Rebuilds expressions through the simplifying factories of <see cref="G"/>, replacing rule references.</summary>
internal static class GbnfRewriter
{
    /// <summary>Returns <paramref name="expr"/> with every rule reference replaced by <paramref name="replace"/>.</summary>
    public static GbnfExpr ReplaceRefs(GbnfExpr expr, Func<GbnfRuleRef, GbnfExpr> replace) => expr switch
    {
        GbnfRuleRef reference => replace(reference),
        GbnfSequence sequence => G.Seq(sequence.Items.Select(i => ReplaceRefs(i, replace))),
        GbnfChoice choice => G.Alt(choice.Items.Select(i => ReplaceRefs(i, replace))),
        GbnfRepeat repeat => G.Rep(ReplaceRefs(repeat.Item, replace), repeat.Min, repeat.Max),
        _ => expr,
    };

    /// <summary>Enumerates the names of the rules <paramref name="expr"/> refers to (with repeats).</summary>
    public static IEnumerable<string> References(GbnfExpr expr)
    {
        switch (expr)
        {
            case GbnfRuleRef reference:
                yield return reference.Name;
                break;
            case GbnfSequence sequence:
                foreach (var name in sequence.Items.SelectMany(References))
                {
                    yield return name;
                }

                break;
            case GbnfChoice choice:
                foreach (var name in choice.Items.SelectMany(References))
                {
                    yield return name;
                }

                break;
            case GbnfRepeat repeat:
                foreach (var name in References(repeat.Item))
                {
                    yield return name;
                }

                break;
        }
    }

    /// <summary>Returns the first unsatisfiable cause inside <paramref name="expr"/>, if any.</summary>
    public static UnsatisfiableCause? FindCause(GbnfExpr expr) => expr switch
    {
        GbnfNever never => never.Cause,
        GbnfSequence sequence => sequence.Items.Select(FindCause).FirstOrDefault(c => c is not null),
        GbnfChoice choice => choice.Items.Select(FindCause).FirstOrDefault(c => c is not null),
        GbnfRepeat repeat => FindCause(repeat.Item),
        _ => null,
    };
}
