using ARuntime.Sdk.LlamaSharp.Grammar;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>The managed well-formedness check that stands between grammars and llama.cpp (which crashes on bad ones).</summary>
[TestFixture]
public sealed class GbnfGrammarTests
{
    [TestCase("root ::= \"a\"")]
    [TestCase("root ::= \"a\" | \"b\" \"c\"\n")]
    [TestCase("# a comment\nroot ::= item+ # trailing comment\nitem ::= [a-z0-9\\x2D] | \"\\\\\" [\\x22\\u00e9\\U0001F600\\[\\]]\n")]
    [TestCase("root ::= ( \"x\" | \"y\"\n  | \"z\" )* [^\"\\\\]")]
    [TestCase("root ::= [a]{3} [b]{0,5} [c]{2,} [d]? [e]{1999}")]
    [TestCase("root ::= list\nlist ::= \"[\" ( item ( \",\" item )* )? \"]\"\nitem ::= [0-9] | list")]
    [TestCase("root ::= .")]
    [TestCase("root ::= \"\" | \"a\"")]
    public void WellFormedText_IsAccepted(string text)
    {
        var grammar = new GbnfGrammar(text, "root");

        Assert.Multiple(() =>
        {
            Assert.That(grammar.Text, Is.EqualTo(text));
            Assert.That(grammar.RootRule, Is.EqualTo("root"));
            Assert.That(GbnfGrammar.IsWellFormed(text, "root", out var problem), Is.True);
            Assert.That(problem, Is.Null);
        });
    }

    [TestCase("root ::= foo", "'foo' is referenced but not defined")]
    [TestCase("root ::= ( \"a\"", "expecting ')'")]
    [TestCase("root ::= \"a\" )", "expecting a newline")]
    [TestCase("root ::= \"a\\q\"", "unknown escape")]
    [TestCase("root ::= [a\\-z]", "unknown escape")]
    [TestCase("root ::= \"\\x4\"", "hexadecimal digits")]
    [TestCase("root ::= \"abc", "unterminated string literal")]
    [TestCase("root ::= [abc", "unterminated character class")]
    [TestCase("root ::= []", "empty character class")]
    [TestCase("root ::= [z-a]", "ends before it starts")]
    [TestCase("root ::= [\\uD800-\\uDFFF]", "no valid character can match")]
    [TestCase("root ::= [^\\x00-\\U0010FFFF]", "no valid character can match")]
    [TestCase("root ::= \"a\\x00\"", "no model output can contain")]
    [TestCase("root ::= *", "a quantifier with nothing before it")]
    [TestCase("root ::= \"\"*", "a quantifier with nothing before it")]
    [TestCase("root ::= root \"a\"", "left recursion")]
    [TestCase("root ::= x\nx ::= \"\" | x \"a\"", "left recursion")]
    [TestCase("root ::= x \"b\"\nx ::= y x | \"a\"\ny ::= \"\"", "left recursion")]
    [TestCase("root ::= ( \"a\"? )*", "left recursion")]
    [TestCase("root ::= x\nx ::= \"a\" x", "can never finish")]
    [TestCase("root ::= \"a\" | x\nx ::= \"b\" x", "can never finish")]
    [TestCase("root ::= [a]{2001}", "minimum above 2000")]
    [TestCase("root ::= [a]{0,2001}", "maximum above 2000")]
    [TestCase("root ::= [a]{5,3}", "maximum below its minimum")]
    [TestCase("root ::= ( [a]{0,50} ){0,50}", "reach 2000")]
    [TestCase("root ::= [a]{0,2000}", "reach 2000")]
    [TestCase("root ::= <eos>", "token references")]
    [TestCase("root ::= !<[2]>", "token references")]
    [TestCase("root ::= \"a\"\nroot ::= \"b\"", "defined twice")]
    [TestCase("root \"a\"", "expecting '::='")]
    [TestCase("::= \"a\"", "expecting a rule name")]
    [TestCase("root_x ::= \"a\"", "expecting '::='")]
    [TestCase("", "no rules")]
    [TestCase("   \n# only a comment\n", "no rules")]
    [TestCase("other ::= \"a\"", "the root rule 'root' is not defined")]
    [TestCase("root ::= \"a\" other\nother ::= \"b\"\nother ::=", "defined twice")]
    [TestCase("root ::= \"a\" |\nnext ::= \"b\"", "expecting a newline")]
    public void MalformedText_IsRejectedWithTheProblem(string text, string problem)
    {
        var error = Assert.Throws<MalformedGrammarException>(() => _ = new GbnfGrammar(text, "root"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain(problem));
            Assert.That(GbnfGrammar.IsWellFormed(text, "root", out var reported), Is.False);
            Assert.That(reported, Does.Contain(problem));
        });
    }

    [Test]
    public void NulCharacter_IsRejected() =>
        Assert.That(GbnfGrammar.IsWellFormed("root ::= \"a\"\0garbage", "root", out var problem), Is.False, problem);

    [Test]
    public void LoneSurrogate_IsRejected() =>
        Assert.That(GbnfGrammar.IsWellFormed("root ::= \"\uD800\"", "root", out _), Is.False);

    [Test]
    public void ErrorMessages_GiveTheLineAndColumn()
    {
        Assert.That(GbnfGrammar.IsWellFormed("root ::= item\nitem ::= \"a\\q\"", "root", out var problem), Is.False);

        Assert.That(problem, Does.Contain("line 2"));
    }

    [Test]
    public void AnotherRootRule_IsUsedWhenNamed()
    {
        const string text = "start ::= \"a\" rest\nrest ::= \"b\"";

        Assert.Multiple(() =>
        {
            Assert.That(GbnfGrammar.IsWellFormed(text, "start", out _), Is.True);
            Assert.That(GbnfGrammar.IsWellFormed(text, "root", out var problem), Is.False);
            Assert.That(problem, Does.Contain("'root' is not defined"));
        });
    }

    [Test]
    public void NullArguments_AreRejected()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentNullException>(() => _ = new GbnfGrammar(null!, "root"));
            Assert.Throws<ArgumentNullException>(() => _ = new GbnfGrammar("root ::= \"a\"", null!));
        });
    }
}
