using System.Text.Json;
using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar;

/// <summary>What each supported keyword compiles to: which JSON texts the grammar accepts and which it rejects.</summary>
[TestFixture]
public sealed class JsonSchemaGrammarCompilerTests
{
    private static void AssertLanguage(string schema, string[] accepted, string[] rejected, JsonSchemaGrammarOptions? options = null)
    {
        var recognizer = TestSchemas.Recognizer(schema, options);
        Assert.Multiple(() =>
        {
            foreach (var text in accepted)
            {
                Assert.That(recognizer.Matches(text), Is.True, $"should accept {text}");
            }

            foreach (var text in rejected)
            {
                Assert.That(recognizer.Matches(text), Is.False, $"should reject {text}");
            }
        });
    }

    // ----- objects -----

    [Test]
    public void Object_RequiredAndOptionalProperties_InDeclaredOrder() => AssertLanguage(
        """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"},"c":{"type":"null"}},"required":["b"]}""",
        ["""{"b":true}""", """{"a":1,"b":false}""", """{"b":true,"c":null}""", """{"a":-3,"b":true,"c":null}"""],
        ["{}", """{"a":1}""", """{"b":true,"a":1}""", """{"b":1}""", """{"b":true,"d":1}""", """{"b":true,"b":true}""", """{"b":true,}"""]);

    [Test]
    public void Object_AdditionalPropertiesUnspecified_IsClosedLikeFalse()
    {
        const string open = """{"type":"object","properties":{"a":{"type":"integer"}}}""";
        const string closed = """{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}""";

        Assert.That(TestSchemas.Compile(open).Text, Is.EqualTo(TestSchemas.Compile(closed).Text));
        AssertLanguage(open, ["{}", """{"a":1}"""], ["""{"a":1,"b":2}""", """{"b":2}"""]);
    }

    [Test]
    public void Object_AllOptional_AllowsTheEmptyObject() => AssertLanguage(
        """{"type":"object","properties":{"x":{"const":1},"y":{"const":2}}}""",
        ["{}", "{ }", """{"x":1}""", """{"y":2}""", """{"x":1,"y":2}"""],
        ["""{"y":2,"x":1}""", """{,"y":2}""", """{"x":1,}"""]);

    [Test]
    public void Object_WithoutProperties_IsTheEmptyObject() =>
        AssertLanguage("""{"type":"object"}""", ["{}", "{  }"], ["""{"a":1}""", "[]"]);

    [Test]
    public void Object_RequiredUndeclaredProperty_UsesAdditionalPropertiesSchema() => AssertLanguage(
        """{"type":"object","required":["n"],"additionalProperties":{"type":"integer","minimum":5}}""",
        ["""{"n":5}""", """{"n":99}"""],
        ["{}", """{"n":4}""", """{"n":"x"}"""]);

    [Test]
    public void Object_RequiredButForbiddenByAdditionalPropertiesFalse_IsUnsatisfiable()
    {
        var error = TestSchemas.Unsupported("""{"type":"object","required":["n"],"additionalProperties":false}""");

        Assert.Multiple(() =>
        {
            Assert.That(error.Keyword, Is.EqualTo("required"));
            Assert.That(error.JsonPointer, Is.EqualTo("/required"));
            Assert.That(error.Message, Does.Contain("no JSON value satisfies the schema"));
        });
    }

    [Test]
    public void Object_PropertyNamesNeedingEscapes_AreWrittenAsJson() => AssertLanguage(
        """{"type":"object","properties":{"say \"hi\"":{"const":1},"é/\\":{"const":2}},"required":["say \"hi\"","é/\\"]}""",
        ["""{"say \"hi\"":1,"é/\\":2}"""],
        ["""{"say "hi"":1,"é/\\":2}"""]);

    [Test]
    public void Object_MinAndMaxPropertiesThatTheRequiredPropertiesSatisfy_Compile() => AssertLanguage(
        """{"type":"object","properties":{"a":{"const":1},"b":{"const":2}},"required":["a"],"minProperties":1,"maxProperties":2}""",
        ["""{"a":1}""", """{"a":1,"b":2}"""],
        ["{}"]);

    [Test]
    public void Object_MinPropertiesNeedingOptionalProperties_IsUnsupported()
    {
        var error = TestSchemas.Unsupported("""{"type":"object","properties":{"a":{},"b":{}},"minProperties":1}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("minProperties", "/minProperties")));
    }

    // ----- whitespace -----

    [Test]
    public void Whitespace_IsBoundedBetweenTokens_AndAbsentAroundTheValue() => AssertLanguage(
        """{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"}}},"required":["a"]}""",
        ["""{"a":[1,2]}""", "{\n \"a\" : [ 1 ,\t2 ]\r\n}"],
        ["{   \"a\":[1]}", " {\"a\":[1]}", "{\"a\":[1]} ", "{\"a\":[1]}\n", "{\"a\":[1    ]}"]);

    [Test]
    public void Whitespace_Zero_GivesCompactJson() => AssertLanguage(
        """{"type":"array","items":{"type":"boolean"}}""",
        ["[true,false]", "[]"],
        ["[ true]", "[true, false]"],
        new JsonSchemaGrammarOptions { MaxWhitespace = 0 });

    // ----- arrays -----

    [Test]
    public void Array_MinAndMaxItems_AreExact() => AssertLanguage(
        """{"type":"array","items":{"type":"integer","minimum":0,"maximum":9},"minItems":2,"maxItems":4}""",
        ["[1,2]", "[1,2,3]", "[1,2,3,4]", "[ 1 , 2 ]"],
        ["[]", "[1]", "[1,2,3,4,5]", "[1,,2]", "[1,2,]", "[10,2]"]);

    [Test]
    public void Array_WithoutItems_AcceptsAnyValues() => AssertLanguage(
        """{"type":"array","maxItems":3}""",
        ["[]", """[1,"a",null]""", "[[true],{}]"],
        ["[1,2,3,4]"]);

    [Test]
    public void Array_PrefixItems_AreValidatedByPosition() => AssertLanguage(
        """{"type":"array","prefixItems":[{"type":"string","maxLength":2},{"type":"integer"}],"items":{"type":"boolean"},"minItems":1}""",
        ["""["ab"]""", """["ab",3]""", """["ab",3,true,false]"""],
        ["[]", "[3]", """["ab",true]""", """["ab",3,4]"""]);

    [Test]
    public void Array_ItemsFalse_EndsTheArrayAfterThePrefix() => AssertLanguage(
        """{"type":"array","prefixItems":[{"const":1},{"const":2}],"items":false}""",
        ["[]", "[1]", "[1,2]"],
        ["[1,2,3]", "[2]"]);

    [Test]
    public void Array_MinItemsBeyondWhatItemsFalseAllows_IsUnsatisfiable()
    {
        var error = TestSchemas.Unsupported("""{"type":"array","prefixItems":[{}],"items":false,"minItems":2}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("minItems", "/minItems")));
    }

    [Test]
    public void Array_LargeMaxItems_CompilesToAShortGrammar_AndIsExact()
    {
        var grammar = TestSchemas.Compile("""{"type":"array","items":{"const":0},"maxItems":2500}""");
        var recognizer = new GbnfRecognizer(grammar);

        Assert.Multiple(() =>
        {
            Assert.That(grammar.Text, Has.Length.LessThan(2000));
            Assert.That(recognizer.Matches("[" + string.Join(",", Enumerable.Repeat("0", 2500)) + "]"), Is.True);
            Assert.That(recognizer.Matches("[" + string.Join(",", Enumerable.Repeat("0", 2501)) + "]"), Is.False);
            Assert.That(recognizer.Matches("[" + string.Join(",", Enumerable.Repeat("0", 1001)) + "]"), Is.True);
        });
    }

    [Test]
    public void Array_UniqueItemsFalse_IsAccepted_AndTrue_IsUnsupported()
    {
        Assert.That(TestSchemas.Recognizer("""{"type":"array","items":{"const":1},"uniqueItems":false}""").Matches("[1,1]"), Is.True);
        var error = TestSchemas.Unsupported("""{"type":"array","uniqueItems":true}""");
        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("uniqueItems", "/uniqueItems")));
    }

    // ----- strings -----

    [Test]
    public void String_LengthsCountCharactersNotEscapes() => AssertLanguage(
        """{"type":"string","minLength":2,"maxLength":3}""",
        ["\"ab\"", "\"abc\"", "\"a\\\"\"", "\"\\n\\t\"", "\"ab\\u0041\"", "\"éß\"", "\"日本語\""],
        ["\"a\"", "\"abcd\"", "\"a\\u0041\\u0041\\u0041\"", "\"\"", "\"a\\x\""]);

    [Test]
    public void String_UnicodeEscapes_CountAsOneCharacter() => AssertLanguage(
        """{"type":"string","maxLength":2}""",
        ["\"\\u0041\\u00e9\"", "\"\\ud83d\\ude00x\""],
        ["\"\\u0041\\u0041\\u0041\""]);

    [Test]
    public void String_ControlCharactersMustBeEscaped_AndLoneSurrogatesAreRejected() => AssertLanguage(
        """{"type":"string"}""",
        ["\"a\\tb\"", "\"\\u001f\"", "\"\\ud83d\\ude00\"", "\"\\/\"", "\"\""],
        ["\"a\tb\"", "\"a\nb\"", "\"\\ud83d\"", "\"\\ude00x\"", "\"\\u12\"", "\"a\"b\"", "\"\\\""]);

    [Test]
    public void String_MinLength_StartsWithCharactersThatAreEachOneTextElement() => AssertLanguage(
        """{"type":"string","minLength":2}""",
        ["\"ab\"", "\"ab\u0301\"", "\"ab\\u0301\""],
        ["\"a\u0301\"", "\"a\\u0301b\"", "\"\r\n\"", "\"\\r\\n\""]);

    [Test]
    public void String_ByteFallbackSafeStrings_EscapesOverlongProneCharacters()
    {
        const string schema = """{"type":"string"}""";

        AssertLanguage(schema, ["\"\\u0915\"", "\"\\ud83d\\ude00\"", "\"é中\""], ["\"\u0915\"", "\"\U0001F600\""]);
        AssertLanguage(schema, ["\"\u0915\"", "\"\U0001F600\""], [], new JsonSchemaGrammarOptions { ByteFallbackSafeStrings = false });
    }

    [Test]
    public void String_ByteFallbackSafeStrings_EscapesOverlongProneCharactersInLiteralsToo()
    {
        // Alternatives that differ only in one character share grammar positions; none may allow those characters raw.
        var grammar = TestSchemas.Compile("""{"type":"object","properties":{"क":{"enum":["xé","xक","x😀"]}},"required":["क"]}""");
        var recognizer = new GbnfRecognizer(grammar);

        Assert.Multiple(() =>
        {
            Assert.That(Utf8SafetyCheck.Violations(recognizer.Parsed), Is.Empty);
            Assert.That(recognizer.Matches("{\"\\u0915\":\"x\\u0915\"}"), Is.True);
            Assert.That(recognizer.Matches("{\"\\u0915\":\"x\\uD83D\\uDE00\"}"), Is.True);
            Assert.That(recognizer.Matches("{\"\\u0915\":\"xé\"}"), Is.True);
            Assert.That(recognizer.Matches("{\"क\":\"xक\"}"), Is.False);
        });
    }

    [Test]
    public void String_MaxLengthBeyondTheNativeRepetitionLimit_IsExact()
    {
        var grammar = TestSchemas.Compile("""{"type":"string","maxLength":4321}""");
        var recognizer = new GbnfRecognizer(grammar);

        Assert.Multiple(() =>
        {
            Assert.That(grammar.Text, Has.Length.LessThan(1000));
            Assert.That(recognizer.Matches("\"" + new string('x', 4321) + "\""), Is.True);
            Assert.That(recognizer.Matches("\"" + new string('x', 4322) + "\""), Is.False);
        });
    }

    [Test]
    public void String_MinLengthAboveMaxLength_IsUnsatisfiable()
    {
        var error = TestSchemas.Unsupported("""{"type":"string","minLength":5,"maxLength":4}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("maxLength", "/maxLength")));
    }

    // ----- patterns -----

    [TestCase("^[A-Z]{2}-\\\\d{3}$", new[] { "AB-123" }, new[] { "AB-12", "ab-123", "AB-1234", "XAB-123" })]
    [TestCase("^(cat|dog)s?$", new[] { "cat", "dogs" }, new[] { "cats!", "cow" })]
    [TestCase("^a.c$", new[] { "abc", "a-c", "aéc" }, new[] { "a\\nc", "ac" })]
    [TestCase("^[^\\\"\\\\\\\\]+$", new[] { "plain", "é" }, new[] { "a\\\"b", "a\\\\b", "" })]
    [TestCase("^\\\\s\\\\S\\\\w\\\\W$", new[] { " a_!", "\\ta9-" }, new[] { "aa_!", " a__" })]
    [TestCase("^(?:ab){2,3}$", new[] { "abab", "ababab" }, new[] { "ab", "abababab" })]
    [TestCase("^(?<year>\\\\d{4})-(?<month>0[1-9]|1[0-2])$", new[] { "2024-01", "1999-12" }, new[] { "2024-13", "24-01" })]
    [TestCase("^\\\\x41\\\\u00e9[\\\\-\\\\]]$", new[] { "Aé-", "Aé]" }, new[] { "Aé+" })]
    [TestCase("^colou?r$|^gr[ae]y$", new[] { "color", "colour", "gray", "grey" }, new[] { "colr", "groy" })]
    [TestCase("abc", new[] { "abc", "xxabcyy", "abc!" }, new[] { "ab", "acb" })]
    [TestCase("^abc", new[] { "abc", "abcxyz" }, new[] { "xabc" })]
    [TestCase("abc$", new[] { "abc", "xyzabc" }, new[] { "abcx" })]
    [TestCase("^a+?b*?$", new[] { "a", "aabbb" }, new[] { "b", "" })]
    public void String_Pattern_MatchesTheRegexSubset(string pattern, string[] matching, string[] notMatching) => AssertLanguage(
        "{\"type\":\"string\",\"pattern\":\"" + pattern + "\"}",
        [.. matching.Select(m => "\"" + m + "\"")],
        [.. notMatching.Select(m => "\"" + m + "\"")]);

    [TestCase("^(a)\\\\1$", "backreferences")]
    [TestCase("^(?=a)a$", "lookaround")]
    [TestCase("^(?!a)b$", "lookaround")]
    [TestCase("^(?<=a)b$", "lookaround")]
    [TestCase("^a\\\\b$", "word-boundary")]
    [TestCase("^a^b$", "'^' is only supported")]
    [TestCase("^a$b", "'$' is only supported")]
    [TestCase("^\\\\p{L}$", "Unicode property")]
    [TestCase("^(?i)a$", "group syntax is not supported")]
    [TestCase("^(a*)*$", "can match the empty string")]
    [TestCase("^a{2$", "quantifier")]
    [TestCase("^[]$", "empty classes")]
    [TestCase("^a**$", "cannot follow another quantifier")]
    [TestCase("^(ab", "missing ')'")]
    [TestCase("^ab)$", "unbalanced ')'")]
    [TestCase("^\\\\u{1F600}$", "Unicode flag")]
    [TestCase("^😀$", "Basic Multilingual Plane")]
    [TestCase("^\\\\k<n>$", "named backreferences")]
    [TestCase("^[z-a]$", "out of order")]
    [TestCase("^\\\\q$", "is not supported")]
    [TestCase("^a{1,200000}$", "quantifier counts above")]
    public void String_Pattern_OutsideTheSubset_IsRejectedWithThePatternPointer(string pattern, string reason)
    {
        var error = TestSchemas.Unsupported("{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"string\",\"pattern\":\"" + pattern + "\"}}}");

        Assert.Multiple(() =>
        {
            Assert.That(error.Keyword, Is.EqualTo("pattern"));
            Assert.That(error.JsonPointer, Is.EqualTo("/properties/p/pattern"));
            Assert.That(error.Reason, Does.Contain(reason));
        });
    }

    [Test]
    public void String_PatternOfOneClassWithLengths_MergesTheBounds() => AssertLanguage(
        """{"type":"string","pattern":"^[a-z]+$","minLength":2,"maxLength":4}""",
        ["\"ab\"", "\"abcd\""],
        ["\"a\"", "\"abcde\"", "\"AB\""]);

    [Test]
    public void String_PatternWhoseLengthsAlreadyFit_CombinesWithLengths() => AssertLanguage(
        """{"type":"string","pattern":"^[A-Z]{2}[0-9]{2}$","minLength":4,"maxLength":10}""",
        ["\"AB12\""],
        ["\"AB1\""]);

    [Test]
    public void String_PatternThatLengthsCutPartially_IsUnsupported()
    {
        var error = TestSchemas.Unsupported("""{"type":"string","pattern":"^a(bc)*$","maxLength":4}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("pattern", "/pattern")));
    }

    // ----- formats -----

    [Test]
    public void Format_Date_IsAlwaysARealDate() => AssertLanguage(
        """{"type":"string","format":"date"}""",
        ["\"2024-01-31\"", "\"0001-02-28\"", "\"9999-12-31\"", "\"2023-04-30\""],
        ["\"2024-02-29\"", "\"2024-04-31\"", "\"2024-13-01\"", "\"0000-01-01\"", "\"2024-1-01\"", "\"2024-00-10\""]);

    [Test]
    public void Format_DateTimeAndTime_UseRfc3339() => AssertLanguage(
        """{"type":"object","properties":{"a":{"format":"date-time"},"b":{"format":"time"}},"required":["a","b"]}""",
        ["""{"a":"2024-05-06T07:08:09Z","b":"23:59:59.123+05:30"}""", """{"a":"2024-05-06T00:00:00.5-12:00","b":"00:00:00Z"}"""],
        ["""{"a":"2024-05-06 07:08:09Z","b":"00:00:00Z"}""", """{"a":"2024-05-06T24:00:00Z","b":"00:00:00Z"}""", """{"a":"2024-05-06T07:08:09Z","b":"00:00:00"}""", """{"a":"2024-05-06T07:08:60Z","b":"00:00:00Z"}"""]);

    [Test]
    public void Format_UuidAndIpv4() => AssertLanguage(
        """{"type":"array","prefixItems":[{"format":"uuid"},{"format":"ipv4"}],"items":false,"minItems":2}""",
        ["""["123e4567-e89b-12d3-a456-426614174000","192.168.0.255"]""", """["123E4567-E89B-12D3-A456-426614174000","0.0.0.0"]"""],
        ["""["123e4567e89b12d3a456426614174000","1.2.3.4"]""", """["123e4567-e89b-12d3-a456-426614174000","256.1.1.1"]""", """["123e4567-e89b-12d3-a456-426614174000","01.1.1.1"]"""]);

    [TestCase("email")]
    [TestCase("uri")]
    [TestCase("hostname")]
    [TestCase("made-up")]
    public void Format_Unsupported_IsAnError(string format)
    {
        var error = TestSchemas.Unsupported("{\"properties\":{\"f\":{\"type\":\"string\",\"format\":\"" + format + "\"}}}");

        Assert.Multiple(() =>
        {
            Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("format", "/properties/f/format")));
            Assert.That(error.Reason, Does.Contain("date, time, date-time, uuid, ipv4"));
        });
    }

    [Test]
    public void Format_WithPattern_IsUnsupported() =>
        Assert.That(TestSchemas.Unsupported("""{"type":"string","format":"date","pattern":"^2"}""").Keyword, Is.EqualTo("format"));

    // ----- scalars, nullable, enum, const -----

    [Test]
    public void BooleanAndNull() => AssertLanguage(
        """{"type":"array","prefixItems":[{"type":"boolean"},{"type":"null"}],"items":false}""",
        ["[true,null]", "[false,null]", "[true]"],
        ["[null,null]", "[true,false]", "[1,null]"]);

    [Test]
    public void NullableType_AcceptsNullOrTheType() => AssertLanguage(
        """{"type":["string","null"],"maxLength":2}""",
        ["null", "\"ab\"", "\"\""],
        ["\"abc\"", "1", "\"null\""]);

    [Test]
    public void Enum_OfAnyJsonValues_IsExactlyTheValues() => AssertLanguage(
        """{"enum":["a",1,2.5,true,null,{"k":[1,"x"]},[]]}""",
        ["\"a\"", "1", "2.5", "true", "null", """{"k":[1,"x"]}""", "[]"],
        ["\"b\"", "2", "false", "{}", "[1]"]);

    [Test]
    public void Enum_ValuesThatFailSiblingKeywords_AreDropped() => AssertLanguage(
        """{"type":"string","enum":["ab","abcdef",1],"maxLength":3}""",
        ["\"ab\""],
        ["\"abcdef\"", "1"]);

    [Test]
    public void Enum_WithNoValidValue_IsUnsatisfiable()
    {
        var error = TestSchemas.Unsupported("""{"properties":{"e":{"type":"integer","enum":["a","b"]}},"required":["e"]}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("enum", "/properties/e/enum")));
    }

    [Test]
    public void Const_OfAnObject() =>
        AssertLanguage("""{"const":{"a":[1,2],"b":null}}""", ["""{"a":[1,2],"b":null}"""], ["""{"b":null,"a":[1,2]}""", "{}"]);

    [Test]
    public void TrueAndEmptySchemas_AcceptAnyValueWithoutUndeclaredProperties() => AssertLanguage(
        "true",
        ["1", "-0.5", "\"x\"", "[1,[2,{}]]", "{}", "null"],
        ["""{"a":1}""", "01", "1e5", "-0"]);

    [Test]
    public void FalseSchemaAtTheRoot_IsUnsatisfiable() =>
        Assert.That(TestSchemas.Unsupported("false").Message, Does.Contain("no JSON value satisfies the schema"));

    // ----- numbers -----

    [TestCase(-20, 30, false, false)]
    [TestCase(-20, 30, true, true)]
    [TestCase(0, 0, false, false)]
    [TestCase(-150, -7, false, true)]
    [TestCase(7, 199, true, false)]
    [TestCase(-1, 1, true, true)]
    [TestCase(99, 1001, false, false)]
    public void Integer_Range_IsExact(int minimum, int maximum, bool exclusiveMinimum, bool exclusiveMaximum)
    {
        var schema = $$"""{"type":"integer","{{(exclusiveMinimum ? "exclusiveMinimum" : "minimum")}}":{{minimum}},"{{(exclusiveMaximum ? "exclusiveMaximum" : "maximum")}}":{{maximum}}}""";
        var recognizer = TestSchemas.Recognizer(schema);
        var low = exclusiveMinimum ? minimum + 1 : minimum;
        var high = exclusiveMaximum ? maximum - 1 : maximum;

        Assert.Multiple(() =>
        {
            for (var value = -1100; value <= 1100; value++)
            {
                Assert.That(recognizer.Matches(value.ToString(System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(value >= low && value <= high), $"{value}");
            }

            Assert.That(recognizer.Matches("-0"), Is.False);
            Assert.That(recognizer.Matches("007"), Is.False);
            Assert.That(recognizer.Matches("5.0"), Is.False);
        });
    }

    [Test]
    public void Integer_FractionalBounds_RoundInwards() => AssertLanguage(
        """{"type":"integer","minimum":-2.5,"maximum":3.7}""",
        ["-2", "3", "0"],
        ["-3", "4"]);

    [Test]
    public void Integer_Unbounded_HasAtMostTheConfiguredDigits() => AssertLanguage(
        """{"type":"integer"}""",
        ["0", "-7", "123456789012345", "-123456789012345"],
        ["1234567890123456", "+1", "01", "1.0", "1e3"]);

    [Test]
    public void Integer_BoundWithMoreDigitsThanTheLimit_StaysReachable() => AssertLanguage(
        """{"type":"integer","minimum":100000000000000000000}""",
        ["100000000000000000000", "999999999999999999999"],
        ["99999999999999999999", "1000000000000000000000"]);

    [TestCase("0.25", false, "3.5", true)]
    [TestCase("-1.5", false, "2.25", true)]
    [TestCase("-0.05", true, "0.05", true)]
    [TestCase("0", true, "1", false)]
    [TestCase("-10", false, "-0.125", false)]
    [TestCase("1.5", false, "1.75", false)]
    [TestCase("-3.14159", false, "2.71828", false)]
    [TestCase("0.1", false, "0.1", false)]
    public void Number_Range_IsExactForCanonicalDecimals(string minimum, bool exclusiveMinimum, string maximum, bool exclusiveMaximum)
    {
        var schema = $$"""{"type":"number","{{(exclusiveMinimum ? "exclusiveMinimum" : "minimum")}}":{{minimum}},"{{(exclusiveMaximum ? "exclusiveMaximum" : "maximum")}}":{{maximum}}}""";
        var recognizer = TestSchemas.Recognizer(schema);
        var low = decimal.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture);
        var high = decimal.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            // Every canonical decimal with up to 3 fraction digits in [-12, 12], plus the bounds themselves.
            var values = Enumerable.Range(-12000, 24001).Select(i => i / 1000m).Concat([low, high]);
            foreach (var value in values)
            {
                var text = Canonical(value);
                var inRange = (exclusiveMinimum ? value > low : value >= low) && (exclusiveMaximum ? value < high : value <= high);
                Assert.That(recognizer.Matches(text), Is.EqualTo(inRange), text);
            }
        });
    }

    private static string Canonical(decimal value)
    {
        var text = value.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    [Test]
    public void Number_Unbounded_HasNoExponentAndNoNegativeZero() => AssertLanguage(
        """{"type":"number"}""",
        ["0", "-1.5", "3.1415926535", "-0.001"],
        ["1e5", "1.", ".5", "-0", "-0.0", "3.14159265358"]);

    [Test]
    public void Number_EmptyRange_IsUnsatisfiableAndNamesTheBound()
    {
        var error = TestSchemas.Unsupported("""{"type":"number","minimum":2,"exclusiveMaximum":2}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("exclusiveMaximum", "/exclusiveMaximum")));
    }

    [Test]
    public void Number_BoundsOnTheNumberAndIntegerUnion() => AssertLanguage(
        """{"type":["integer","string"],"minimum":1,"maximum":3,"maxLength":1}""",
        ["1", "3", "\"x\""],
        ["0", "1.5", "\"xy\""]);

    // ----- anyOf / oneOf / allOf -----

    [Test]
    public void AnyOf_IsTheUnionOfTheBranches() => AssertLanguage(
        """{"anyOf":[{"type":"string","maxLength":1},{"type":"integer","minimum":0,"maximum":5},{"type":"object","properties":{"a":{"const":1}},"required":["a"]}]}""",
        ["\"x\"", "5", """{"a":1}"""],
        ["\"xy\"", "6", "{}"]);

    [Test]
    public void OneOf_ToolCallUnion_GeneratesExactlyOneShape()
    {
        var recognizer = new GbnfRecognizer(new JsonSchemaGrammarCompiler().Compile(TestSchemas.Load("02-tool-call-union")));

        Assert.Multiple(() =>
        {
            Assert.That(recognizer.Matches("""{"tool":"get_weather","arguments":{"city":"Oslo","unit":"celsius"}}"""), Is.True);
            Assert.That(recognizer.Matches("""{"tool":"search","arguments":{"query":"x","limit":3}}"""), Is.True);
            Assert.That(recognizer.Matches("""{"answer":"done"}"""), Is.True);
            Assert.That(recognizer.Matches("""{"tool":"search","arguments":{"city":"Oslo"}}"""), Is.False);
            Assert.That(recognizer.Matches("""{"tool":"delete","arguments":{}}"""), Is.False);
            Assert.That(recognizer.Matches("""{"tool":"search","arguments":{"query":"x"},"answer":"y"}"""), Is.False);
        });
    }

    [TestCase("""{"oneOf":[{"type":"string"},{"type":"integer"}]}""")]
    [TestCase("""{"oneOf":[{"const":"a"},{"const":"b"}]}""")]
    [TestCase("""{"oneOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"type":"object","properties":{"b":{"type":"integer"}},"required":["b"]}]}""")]
    [TestCase("""{"oneOf":[{"type":"object","properties":{"k":{"enum":[1,2]}},"required":["k"]},{"type":"object","properties":{"k":{"enum":[3]}},"required":["k"]}]}""")]
    [TestCase("""{"oneOf":[{"type":"object","properties":{"a":{}},"required":["a"]},{"type":"object","properties":{"b":{}},"additionalProperties":false}]}""")]
    public void OneOf_ProvablyExclusiveBranches_Compile(string schema) =>
        Assert.That(() => TestSchemas.Compile(schema), Throws.Nothing);

    [TestCase("""{"oneOf":[{"type":"number"},{"type":"integer"}]}""")]
    [TestCase("""{"oneOf":[{"type":"string"},{"type":"string","maxLength":3}]}""")]
    [TestCase("""{"oneOf":[{"type":"object","properties":{"a":{}}},{"type":"object","properties":{"b":{}}}]}""")]
    [TestCase("""{"properties":{"x":{"oneOf":[{"const":1},{"enum":[1,2]}]}}}""")]
    public void OneOf_OverlappingBranches_IsAnErrorNamingOneOf(string schema)
    {
        var error = TestSchemas.Unsupported(schema);

        Assert.Multiple(() =>
        {
            Assert.That(error.Keyword, Is.EqualTo("oneOf"));
            Assert.That(error.JsonPointer, Does.EndWith("/oneOf"));
            Assert.That(error.Reason, Does.Contain("not provably exclusive"));
        });
    }

    [Test]
    public void AllOf_CombinesTheParts() => AssertLanguage(
        """{"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"boolean"},"a":{"minimum":10}},"required":["b"]}]}""",
        ["""{"a":10,"b":true}"""],
        ["""{"a":9,"b":true}""", """{"a":10}""", """{"b":true}"""]);

    [Test]
    public void AllOf_WithConflictingTypes_IsUnsatisfiable()
    {
        var error = TestSchemas.Unsupported("""{"allOf":[{"type":"string"},{"type":"integer"}]}""");

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("type", "/allOf/1/type")));
    }

    [Test]
    public void SiblingsOfAnyOf_ApplyToEveryBranch() => AssertLanguage(
        """{"type":"object","properties":{"id":{"type":"integer","minimum":0,"maximum":9}},"required":["id"],"anyOf":[{"properties":{"a":{"const":1}},"required":["a"]},{"properties":{"b":{"const":2}},"required":["b"]}]}""",
        ["""{"id":1,"a":1}""", """{"id":2,"b":2}"""],
        ["""{"a":1}""", """{"id":1}"""]);

    // ----- $ref -----

    [Test]
    public void Ref_RecursiveSchema_CompilesToRecursiveRules() => AssertLanguage(
        """{"$defs":{"list":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#/$defs/list"}},"required":["v"]}},"$ref":"#/$defs/list"}""",
        ["""{"v":1}""", """{"v":1,"next":{"v":2,"next":{"v":3}}}"""],
        ["""{"v":1,"next":{}}""", """{"next":{"v":1}}"""]);

    [Test]
    public void Ref_ToTheRoot_IsRecursive() => AssertLanguage(
        """{"type":"array","items":{"$ref":"#"},"maxItems":2}""",
        ["[]", "[[],[[]]]"],
        ["[[],[],[]]", "[1]"]);

    [Test]
    public void Ref_RequiredSelfRecursion_HasNoFiniteValue_AndIsAnError()
    {
        var error = TestSchemas.Unsupported("""{"type":"object","properties":{"self":{"$ref":"#"}},"required":["self"]}""");

        Assert.Multiple(() =>
        {
            Assert.That(error.Keyword, Is.EqualTo("$ref"));
            Assert.That(error.Reason, Does.Contain("recursively"));
        });
    }

    [Test]
    public void Ref_DefinitionsAnchorsAndPercentEncodedPointers_Resolve() => AssertLanguage(
        """{"definitions":{"a b":{"const":1}},"$defs":{"x":{"$anchor":"two","const":2}},"type":"array","prefixItems":[{"$ref":"#/definitions/a%20b"},{"$ref":"#two"}],"items":false,"minItems":2}""",
        ["[1,2]"],
        ["[2,1]"]);

    [TestCase("""{"$ref":"https://example.com/schema.json"}""", "/$ref", "outside this schema document")]
    [TestCase("""{"$ref":"#/$defs/missing"}""", "/$ref", "does not point to anything")]
    [TestCase("""{"$ref":"#nowhere"}""", "/$ref", "no $anchor")]
    [TestCase("""{"properties":{"a":{"$ref":5}}}""", "/properties/a/$ref", "must be a string")]
    public void Ref_Unresolvable_IsAnError(string schema, string pointer, string reason)
    {
        var error = TestSchemas.Unsupported(schema);

        Assert.Multiple(() =>
        {
            Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo(("$ref", pointer)));
            Assert.That(error.Reason, Does.Contain(reason));
        });
    }

    [Test]
    public void Ref_ToTheRootId_Resolves() => AssertLanguage(
        """{"$id":"https://example.com/s","$defs":{"n":{"const":7}},"$ref":"https://example.com/s#/$defs/n"}""",
        ["7"],
        ["8"]);

    [Test]
    public void Draft7_RefIgnoresSiblings_AndItemsArrayWithAdditionalItems() => AssertLanguage(
        """{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"d":{"const":1}},"type":"array","items":[{"$ref":"#/definitions/d","const":2,"not":{}}],"additionalItems":false}""",
        ["[]", "[1]"],
        ["[2]", "[1,1]"]);

    [Test]
    public void Draft202012_RefCombinesWithSiblings() => AssertLanguage(
        """{"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":2}""",
        ["\"ab\""],
        ["\"abc\"", "1"]);

    // ----- annotations and unsupported keywords -----

    [Test]
    public void Annotations_AreIgnored()
    {
        var plain = TestSchemas.Compile("""{"type":"integer","minimum":1,"maximum":3}""");
        var annotated = TestSchemas.Compile("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:x","title":"T","description":"D","$comment":"C","examples":[2],"default":1,"deprecated":false,"readOnly":true,"writeOnly":false,"type":"integer","minimum":1,"maximum":3}""");

        Assert.That(annotated.Text, Is.EqualTo(plain.Text));
    }

    [TestCase("""{"properties":{"a":{"not":{"type":"string"}}}}""", "not", "/properties/a/not")]
    [TestCase("""{"if":{"type":"string"},"then":{"maxLength":2}}""", "if", "/if")]
    [TestCase("""{"type":"object","then":{}}""", "then", "/then")]
    [TestCase("""{"type":"object","else":{}}""", "else", "/else")]
    [TestCase("""{"type":"object","patternProperties":{"^x":{}}}""", "patternProperties", "/patternProperties")]
    [TestCase("""{"type":"object","dependentRequired":{"a":["b"]}}""", "dependentRequired", "/dependentRequired")]
    [TestCase("""{"type":"object","dependentSchemas":{"a":{}}}""", "dependentSchemas", "/dependentSchemas")]
    [TestCase("""{"type":"integer","multipleOf":3}""", "multipleOf", "/multipleOf")]
    [TestCase("""{"type":"array","contains":{"const":1}}""", "contains", "/contains")]
    [TestCase("""{"type":"array","minContains":1}""", "minContains", "/minContains")]
    [TestCase("""{"type":"object","propertyNames":{"maxLength":3}}""", "propertyNames", "/propertyNames")]
    [TestCase("""{"type":"object","unevaluatedProperties":false}""", "unevaluatedProperties", "/unevaluatedProperties")]
    [TestCase("""{"type":"array","unevaluatedItems":false}""", "unevaluatedItems", "/unevaluatedItems")]
    [TestCase("""{"$dynamicRef":"#x"}""", "$dynamicRef", "/$dynamicRef")]
    [TestCase("""{"items":{"type":"object","x-order":1}}""", "x-order", "/items/x-order")]
    [TestCase("""{"type":"string","nullable":true}""", "nullable", "/nullable")]
    [TestCase("""{"anyOf":[{"type":"string"},{"type":"object","discriminator":{}}]}""", "discriminator", "/anyOf/1/discriminator")]
    [TestCase("""{"$defs":{"a":{"$id":"urn:nested","type":"string"}},"$ref":"#/$defs/a"}""", "$id", "/$defs/a/$id")]
    [TestCase("""{"properties":{"a":{"$schema":"http://json-schema.org/draft-07/schema#"}}}""", "$schema", "/properties/a/$schema")]
    [TestCase("""{"$schema":"http://json-schema.org/draft-04/schema#"}""", "$schema", "/$schema")]
    [TestCase("""{"type":"array","prefixItems":[{"tool":"x"}]}""", "tool", "/prefixItems/0/tool")]
    public void UnsupportedKeyword_IsAnErrorNamingTheKeywordAndItsPointer(string schema, string keyword, string pointer)
    {
        var error = TestSchemas.Unsupported(schema);

        Assert.Multiple(() =>
        {
            Assert.That(error.Keyword, Is.EqualTo(keyword));
            Assert.That(error.JsonPointer, Is.EqualTo(pointer));
            Assert.That(error.Message, Does.Contain(keyword).And.Contain(pointer));
        });
    }

    [Test]
    public void AdditionalAnnotationKeywords_AreIgnored()
    {
        var options = new JsonSchemaGrammarOptions { AdditionalAnnotationKeywords = ["x-order", "nullable"] };

        Assert.That(() => TestSchemas.Compile("""{"type":"string","x-order":1,"nullable":false}""", options), Throws.Nothing);
    }

    [Test]
    public void UnreachableDefinitions_AreNotChecked() =>
        Assert.That(() => TestSchemas.Compile("""{"type":"boolean","$defs":{"unused":{"not":{}}}}"""), Throws.Nothing);

    [TestCase("""{"type":"strin"}""", "type", "/type")]
    [TestCase("""{"type":5}""", "type", "/type")]
    [TestCase("""{"type":"string","minLength":-1}""", "minLength", "/minLength")]
    [TestCase("""{"type":"string","maxLength":1.5}""", "maxLength", "/maxLength")]
    [TestCase("""{"type":"object","required":"a"}""", "required", "/required")]
    [TestCase("""{"type":"object","properties":[]}""", "properties", "/properties")]
    [TestCase("""{"type":"number","minimum":"1"}""", "minimum", "/minimum")]
    [TestCase("""{"type":"number","exclusiveMinimum":true}""", "exclusiveMinimum", "/exclusiveMinimum")]
    [TestCase("""{"type":"number","maximum":1e999}""", "maximum", "/maximum")]
    [TestCase("""{"anyOf":[]}""", "anyOf", "/anyOf")]
    [TestCase("""{"enum":5}""", "enum", "/enum")]
    [TestCase("""{"type":"string","pattern":5}""", "pattern", "/pattern")]
    [TestCase("""{"type":"array","items":[{}]}""", "items", "/items")]
    [TestCase("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","prefixItems":[{}]}""", "prefixItems", "/prefixItems")]
    [TestCase("""{"properties":{"a":5}}""", "", "/properties/a")]
    public void InvalidKeywordValue_IsAnErrorNamingTheKeyword(string schema, string keyword, string pointer)
    {
        var error = TestSchemas.Unsupported(schema);

        Assert.That((error.Keyword, error.JsonPointer), Is.EqualTo((keyword, pointer)));
    }

    [TestCase("5")]
    [TestCase("\"string\"")]
    [TestCase("null")]
    [TestCase("[]")]
    public void NonSchemaJson_IsAnError(string json) =>
        Assert.That(TestSchemas.Unsupported(json).Reason, Does.Contain("object or a boolean"));

    // ----- API -----

    [Test]
    public void TryCompile_ReportsUnsupportedSchemasWithoutThrowing()
    {
        var compiler = new JsonSchemaGrammarCompiler();

        Assert.Multiple(() =>
        {
            Assert.That(compiler.TryCompile(TestSchemas.Parse("""{"type":"boolean"}"""), out var grammar, out var error), Is.True);
            Assert.That(grammar, Is.Not.Null);
            Assert.That(error, Is.Null);
            Assert.That(compiler.TryCompile(TestSchemas.Parse("""{"not":{}}"""), out grammar, out error), Is.False);
            Assert.That(grammar, Is.Null);
            Assert.That(error!.Keyword, Is.EqualTo("not"));
        });
    }

    [Test]
    public void Grammar_StartsAtRoot_AndHasNoWhitespaceAroundTheValue()
    {
        var grammar = TestSchemas.Compile("""{"type":"boolean"}""");

        Assert.Multiple(() =>
        {
            Assert.That(grammar.RootRule, Is.EqualTo("root"));
            Assert.That(grammar.Text, Does.StartWith("root ::= "));
        });
    }

    [Test]
    public void MaxGrammarLength_IsEnforced()
    {
        var many = string.Join(",", Enumerable.Range(0, 400).Select(i => $"\"value-{i}\""));
        var error = TestSchemas.Unsupported("{\"enum\":[" + many + "]}", new JsonSchemaGrammarOptions { MaxGrammarLength = 1000 });

        Assert.That(error.Reason, Does.Contain("MaxGrammarLength"));
    }

    [TestCase(nameof(JsonSchemaGrammarOptions.MaxWhitespace), -1)]
    [TestCase(nameof(JsonSchemaGrammarOptions.MaxWhitespace), 33)]
    [TestCase(nameof(JsonSchemaGrammarOptions.MaxIntegerDigits), 0)]
    [TestCase(nameof(JsonSchemaGrammarOptions.MaxFractionDigits), 101)]
    [TestCase(nameof(JsonSchemaGrammarOptions.MaxGrammarLength), 10)]
    [TestCase(nameof(JsonSchemaGrammarOptions.CacheCapacity), -1)]
    public void InvalidOptions_AreRejectedNamingTheOption(string option, int value)
    {
        var options = option switch
        {
            nameof(JsonSchemaGrammarOptions.MaxWhitespace) => new JsonSchemaGrammarOptions { MaxWhitespace = value },
            nameof(JsonSchemaGrammarOptions.MaxIntegerDigits) => new JsonSchemaGrammarOptions { MaxIntegerDigits = value },
            nameof(JsonSchemaGrammarOptions.MaxFractionDigits) => new JsonSchemaGrammarOptions { MaxFractionDigits = value },
            nameof(JsonSchemaGrammarOptions.MaxGrammarLength) => new JsonSchemaGrammarOptions { MaxGrammarLength = value },
            _ => new JsonSchemaGrammarOptions { CacheCapacity = value },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new JsonSchemaGrammarCompiler(options));

        Assert.That(error!.ParamName, Is.EqualTo(option));
    }

    [Test]
    public void Cache_ReturnsTheSameGrammarForTheSameSchemaText_AndEvictsTheLeastRecentlyUsed()
    {
        var compiler = new JsonSchemaGrammarCompiler(new JsonSchemaGrammarOptions { CacheCapacity = 2 });
        var a = TestSchemas.Parse("""{ "type": "boolean" }""");
        var b = TestSchemas.Parse("""{"type":"null"}""");
        var c = TestSchemas.Parse("""{"type":"integer"}""");

        var first = compiler.Compile(a);
        var again = compiler.Compile(TestSchemas.Parse("""{"type":"boolean"}"""));
        compiler.Compile(b);
        compiler.Compile(a);
        compiler.Compile(c);

        Assert.Multiple(() =>
        {
            Assert.That(again, Is.SameAs(first));
            Assert.That(compiler.CachedCount, Is.EqualTo(2));
            Assert.That(compiler.Compile(a), Is.SameAs(first));
            Assert.That(compiler.CachedCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void Cache_CapacityZero_KeepsNothing()
    {
        var compiler = new JsonSchemaGrammarCompiler(new JsonSchemaGrammarOptions { CacheCapacity = 0 });
        var schema = TestSchemas.Parse("""{"type":"boolean"}""");

        var first = compiler.Compile(schema);
        var second = compiler.Compile(schema);

        Assert.Multiple(() =>
        {
            Assert.That(compiler.CachedCount, Is.Zero);
            Assert.That(second, Is.Not.SameAs(first));
            Assert.That(second, Is.EqualTo(first));
        });
    }

    [Test]
    public async Task Compile_IsThreadSafe()
    {
        var compiler = new JsonSchemaGrammarCompiler(new JsonSchemaGrammarOptions { CacheCapacity = 4 });
        var schemas = TestSchemas.FileNames().Select(TestSchemas.Load).ToList();
        var expected = schemas.Select(s => new JsonSchemaGrammarCompiler().Compile(s).Text).ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
            Enumerable.Range(0, schemas.Count).Select(i => compiler.Compile(schemas[(i + worker) % schemas.Count]).Text).ToList())));

        for (var worker = 0; worker < results.Length; worker++)
        {
            for (var i = 0; i < schemas.Count; i++)
            {
                Assert.That(results[worker][i], Is.EqualTo(expected[(i + worker) % schemas.Count]));
            }
        }
    }

    [Test]
    public void Compile_IsDeterministic()
    {
        foreach (var name in TestSchemas.FileNames())
        {
            var schema = TestSchemas.Load(name);
            var first = new JsonSchemaGrammarCompiler().Compile(schema).Text;
            var second = new JsonSchemaGrammarCompiler().Compile(schema).Text;
            Assert.That(second, Is.EqualTo(first), name);
        }
    }

    [Test]
    public void SchemaFromAJsonDocumentThatIsDisposed_IsNotNeededAfterCompile()
    {
        GbnfGrammar grammar;
        using (var document = JsonDocument.Parse("""{"type":"string","maxLength":3}"""))
        {
            grammar = new JsonSchemaGrammarCompiler().Compile(document.RootElement);
        }

        Assert.That(new GbnfRecognizer(grammar).Matches("\"abc\""), Is.True);
    }
}
