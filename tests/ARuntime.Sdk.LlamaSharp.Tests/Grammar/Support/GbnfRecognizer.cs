using System.Collections.Immutable;
using System.Text;
using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Grammar.Gbnf;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>
/// Decides whether a string matches a GBNF grammar the way llama.cpp's sampler walks it: a set of pushdown stacks
/// advanced one code point at a time (the same expansion of groups and repetitions, the same stack rules).
/// </summary>
internal sealed class GbnfRecognizer
{
    private readonly GbnfParsedGrammar grammar;

    public GbnfRecognizer(GbnfGrammar compiled)
    {
        grammar = GbnfGrammarValidator.Parse(compiled.Text, compiled.RootRule, out var problem)
            ?? throw new InvalidOperationException("The grammar does not parse: " + problem);
    }

    public GbnfParsedGrammar Parsed => grammar;

    /// <summary>Returns whether the whole of <paramref name="text"/> matches the root rule.</summary>
    public bool Matches(string text)
    {
        var stacks = Start();
        foreach (var rune in text.EnumerateRunes())
        {
            stacks = Accept(stacks, rune.Value);
            if (stacks.Count == 0)
            {
                return false;
            }
        }

        return stacks.Any(s => s.IsEmpty);
    }

    /// <summary>Returns whether <paramref name="text"/> is a prefix of some match.</summary>
    public bool IsPrefix(string text)
    {
        var stacks = Start();
        foreach (var rune in text.EnumerateRunes())
        {
            stacks = Accept(stacks, rune.Value);
            if (stacks.Count == 0)
            {
                return false;
            }
        }

        return true;
    }

    private List<ImmutableList<(int Rule, int Alt, int Index)>> Start()
    {
        var result = new List<ImmutableList<(int, int, int)>>();
        var seen = new HashSet<string>();
        var alternatives = grammar.Rules[grammar.RootId];
        for (var alt = 0; alt < alternatives.Count; alt++)
        {
            var stack = alternatives[alt].Count == 0
                ? ImmutableList<(int, int, int)>.Empty
                : [(grammar.RootId, alt, 0)];
            Advance(stack, result, seen);
        }

        return result;
    }

    private List<ImmutableList<(int Rule, int Alt, int Index)>> Accept(List<ImmutableList<(int Rule, int Alt, int Index)>> stacks, int codePoint)
    {
        var result = new List<ImmutableList<(int, int, int)>>();
        var seen = new HashSet<string>();
        foreach (var stack in stacks)
        {
            if (stack.IsEmpty)
            {
                continue;
            }

            var top = stack[^1];
            var element = grammar.Rules[top.Rule][top.Alt][top.Index];
            if (element.Kind == GbnfElementKind.Chars && element.Matches(codePoint))
            {
                var next = stack.RemoveAt(stack.Count - 1);
                if (top.Index + 1 < grammar.Rules[top.Rule][top.Alt].Count)
                {
                    next = next.Add((top.Rule, top.Alt, top.Index + 1));
                }

                Advance(next, result, seen);
            }
        }

        return result;
    }

    private void Advance(ImmutableList<(int Rule, int Alt, int Index)> start, List<ImmutableList<(int, int, int)>> result, HashSet<string> seen)
    {
        var todo = new Stack<ImmutableList<(int Rule, int Alt, int Index)>>();
        todo.Push(start);
        var visited = new HashSet<string>();
        while (todo.Count > 0)
        {
            var stack = todo.Pop();
            var key = Key(stack);
            if (!visited.Add(key))
            {
                continue;
            }

            if (stack.IsEmpty)
            {
                if (seen.Add(key))
                {
                    result.Add(stack);
                }

                continue;
            }

            var top = stack[^1];
            var element = grammar.Rules[top.Rule][top.Alt][top.Index];
            if (element.Kind == GbnfElementKind.Chars)
            {
                if (seen.Add(key))
                {
                    result.Add(stack);
                }

                continue;
            }

            var baseStack = stack.RemoveAt(stack.Count - 1);
            if (top.Index + 1 < grammar.Rules[top.Rule][top.Alt].Count)
            {
                baseStack = baseStack.Add((top.Rule, top.Alt, top.Index + 1));
            }

            var alternatives = grammar.Rules[element.RuleId];
            for (var alt = 0; alt < alternatives.Count; alt++)
            {
                todo.Push(alternatives[alt].Count == 0 ? baseStack : baseStack.Add((element.RuleId, alt, 0)));
            }
        }
    }

    private static string Key(ImmutableList<(int Rule, int Alt, int Index)> stack)
    {
        var builder = new StringBuilder();
        foreach (var (rule, alt, index) in stack)
        {
            builder.Append(rule).Append(',').Append(alt).Append(',').Append(index).Append(';');
        }

        return builder.ToString();
    }
}
