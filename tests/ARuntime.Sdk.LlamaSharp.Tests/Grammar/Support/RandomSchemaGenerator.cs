using System.Globalization;
using System.Text.Json.Nodes;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>
/// Generates random JSON Schemas from a seed: mostly the supported subset (every keyword the compiler handles, nested,
/// with $defs, recursive $ref, anyOf/oneOf/allOf), sometimes with an unsupported keyword, an invalid value or a
/// contradiction, so both outcomes of compilation are exercised.
/// </summary>
internal sealed class RandomSchemaGenerator(int seed)
{
    private static readonly string[] Patterns =
    [
        "^[a-z]+$", "^\\d{2,4}$", "abc", "^(x|y)*$", "^[^\\s]{1,5}$", "^a{2}$", "\\w+", "^.{0,3}$", "^[A-F0-9]{4}(-[A-F0-9]{4})?$",
        "^(?:é|ß|中)+$", "(?=x)", "^(a|ab)(c|bcd)(d*)$", "^\\\\[\"\\]]$", "^[\\u0900-\\u097f]{1,3}$", "^$", "x|^y$",
    ];

    private static readonly string[] Formats = ["date", "time", "date-time", "uuid", "ipv4", "email"];

    private static readonly string[] Names = ["a", "b", "name", "value", "x y", "é", "quote\"", "back\\slash", "tool", "arguments", "n1"];

    private static readonly string[] Unsupported =
        ["not", "if", "multipleOf", "patternProperties", "contains", "x-custom", "propertyNames", "dependentRequired"];

    private readonly Random random = new(seed);
    private readonly List<string> definitions = [];

    public JsonNode Generate()
    {
        var root = new JsonObject();
        var defs = new JsonObject();
        var count = random.Next(3);
        for (var i = 0; i < count; i++)
        {
            definitions.Add("d" + i.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var name in definitions)
        {
            defs[name] = Schema(2);
        }

        var body = Schema(3);
        if (body is JsonObject bodyObject)
        {
            foreach (var (key, value) in bodyObject.ToList())
            {
                bodyObject.Remove(key);
                root[key] = value;
            }
        }
        else
        {
            root["allOf"] = new JsonArray(body);
        }

        if (definitions.Count > 0)
        {
            root["$defs"] = defs;
        }

        return root;
    }

    private JsonNode Schema(int depth)
    {
        var roll = random.Next(100);
        if (definitions.Count > 0 && roll >= 90)
        {
            // A reference, sometimes with sibling keywords (which combine with the target in draft 2020-12).
            var reference = new JsonObject { ["$ref"] = "#/$defs/" + definitions[random.Next(definitions.Count)] };
            if (roll >= 97)
            {
                reference["maxLength"] = random.Next(5);
                reference["maximum"] = random.Next(-5, 50);
            }

            return reference;
        }

        if (roll < 3)
        {
            return JsonValue.Create(random.Next(4) > 0);
        }

        JsonObject schema;
        if (depth <= 0 || roll < 40)
        {
            schema = Scalar();
        }
        else
        {
            schema = random.Next(8) switch
            {
                0 or 1 or 2 => ObjectSchema(depth),
                3 or 4 => ArraySchema(depth),
                5 => Choice(depth, "anyOf"),
                6 => Choice(depth, "oneOf"),
                _ => random.Next(2) == 0 && definitions.Count > 0
                    ? new JsonObject { ["$ref"] = "#/$defs/" + definitions[random.Next(definitions.Count)] }
                    : new JsonObject { ["allOf"] = new JsonArray(Schema(depth - 1), Schema(depth - 1)) },
            };
        }

        if (random.Next(30) == 0)
        {
            schema[Unsupported[random.Next(Unsupported.Length)]] = new JsonObject();
        }

        if (random.Next(40) == 0)
        {
            schema["minLength"] = -1;
        }

        if (random.Next(10) == 0)
        {
            schema["description"] = "annotation";
        }

        return schema;
    }

    private JsonObject Scalar()
    {
        switch (random.Next(9))
        {
            case 0:
            {
                var schema = new JsonObject { ["type"] = "string" };
                var min = random.Next(3) == 0 ? random.Next(4) : 0;
                if (min > 0)
                {
                    schema["minLength"] = min;
                }

                if (random.Next(2) == 0)
                {
                    schema["maxLength"] = min + random.Next(6) - (random.Next(10) == 0 ? 3 : 0);
                }

                if (random.Next(3) == 0)
                {
                    schema["pattern"] = Patterns[random.Next(Patterns.Length)];
                }
                else if (random.Next(4) == 0)
                {
                    schema["format"] = Formats[random.Next(Formats.Length)];
                }

                return schema;
            }

            case 1:
            case 2:
            {
                var schema = new JsonObject { ["type"] = random.Next(2) == 0 ? "integer" : "number" };
                if (random.Next(2) == 0)
                {
                    schema[random.Next(3) == 0 ? "exclusiveMinimum" : "minimum"] = Bound();
                }

                if (random.Next(2) == 0)
                {
                    schema[random.Next(3) == 0 ? "exclusiveMaximum" : "maximum"] = Bound();
                }

                return schema;
            }

            case 3:
                return new JsonObject { ["type"] = random.Next(2) == 0 ? "boolean" : "null" };
            case 4:
                return new JsonObject { ["type"] = new JsonArray(random.Next(2) == 0 ? "string" : "integer", "null"), ["maxLength"] = 3, ["maximum"] = 9 };
            case 5:
            {
                var values = new JsonArray();
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    values.Add(Value(2));
                }

                var schema = new JsonObject { ["enum"] = values };
                if (random.Next(3) == 0)
                {
                    schema["type"] = random.Next(2) == 0 ? "string" : "integer";
                }

                return schema;
            }

            case 6:
                return new JsonObject { ["const"] = Value(2) };
            case 7:
                return [];
            default:
                return new JsonObject { ["type"] = "string", ["maxLength"] = random.Next(8) };
        }
    }

    private JsonNode Bound()
    {
        var integer = random.Next(-200, 200);
        return random.Next(3) == 0
            ? JsonValue.Create(decimal.Round(integer / 8m, 3))
            : JsonValue.Create(integer);
    }

    private JsonObject ObjectSchema(int depth)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var name in Names.OrderBy(_ => random.Next()).Take(random.Next(0, 4)))
        {
            properties[name] = Schema(depth - 1);
            if (random.Next(2) == 0)
            {
                required.Add(name);
            }
        }

        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0 || random.Next(5) == 0)
        {
            if (random.Next(8) == 0)
            {
                required.Add("undeclared");
            }

            schema["required"] = required;
        }

        switch (random.Next(4))
        {
            case 0:
                schema["additionalProperties"] = false;
                break;
            case 1:
                schema["additionalProperties"] = Scalar();
                break;
        }

        return schema;
    }

    private JsonObject ArraySchema(int depth)
    {
        var schema = new JsonObject { ["type"] = "array" };
        if (random.Next(3) == 0)
        {
            var prefix = new JsonArray();
            for (var i = random.Next(1, 3); i > 0; i--)
            {
                prefix.Add(Schema(depth - 1));
            }

            schema["prefixItems"] = prefix;
            if (random.Next(2) == 0)
            {
                schema["items"] = random.Next(2) == 0 ? false : Schema(depth - 1);
            }
        }
        else if (random.Next(4) > 0)
        {
            schema["items"] = Schema(depth - 1);
        }

        var min = random.Next(3) == 0 ? random.Next(3) : 0;
        if (min > 0)
        {
            schema["minItems"] = min;
        }

        if (random.Next(2) == 0)
        {
            schema["maxItems"] = min + random.Next(4);
        }

        return schema;
    }

    private JsonObject Choice(int depth, string keyword)
    {
        var branches = new JsonArray();
        var discriminated = keyword == "oneOf" && random.Next(2) == 0;
        for (var i = random.Next(2, 4); i > 0; i--)
        {
            if (discriminated)
            {
                var branch = ObjectSchema(depth - 1);
                var properties = (JsonObject)branch["properties"]!;
                properties["kind"] = new JsonObject { ["const"] = "k" + i.ToString(CultureInfo.InvariantCulture) };
                branch["required"] = new JsonArray("kind");
                branches.Add(branch);
            }
            else
            {
                branches.Add(Schema(depth - 1));
            }
        }

        return new JsonObject { [keyword] = branches };
    }

    private JsonNode? Value(int depth)
    {
        switch (random.Next(depth > 0 ? 8 : 6))
        {
            case 0:
                return JsonValue.Create(new[] { "a", "é\"\\", "x y", "", "日本", "tab\t" }[random.Next(6)]);
            case 1:
                return JsonValue.Create(random.Next(-50, 50));
            case 2:
                return JsonValue.Create(decimal.Round(random.Next(-500, 500) / 16m, 4));
            case 3:
                return JsonValue.Create(random.Next(2) == 0);
            case 4:
                return null;
            case 5:
                return JsonValue.Create("s" + random.Next(10).ToString(CultureInfo.InvariantCulture));
            case 6:
                return new JsonArray(Value(depth - 1), Value(depth - 1));
            default:
                return new JsonObject { ["k"] = Value(depth - 1) };
        }
    }
}
