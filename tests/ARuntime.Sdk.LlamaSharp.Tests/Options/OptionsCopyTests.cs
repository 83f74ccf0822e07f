using System.Reflection;
using ARuntime.Sdk.LlamaSharp.Grammar;
using ARuntime.Sdk.LlamaSharp.Prompting;

namespace ARuntime.Sdk.LlamaSharp.Tests.Options;

/// <summary>
/// The engine works on its own copy of the options; a new option missing from the copy silently falls back to its default
/// (it happened to <see cref="LlamaSharpEngineOptions.AdmissionGatherWindow"/>), so every settable option is checked.
/// </summary>
public sealed class OptionsCopyTests
{
    [Test]
    public void The_engine_copy_keeps_every_option()
    {
        var original = new LlamaSharpEngineOptions();
        var properties = typeof(LlamaSharpEngineOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        foreach (var property in properties)
        {
            property.SetValue(original, Changed(property, property.GetValue(original)));
        }

        var copy = LlamaSharpEngine.Copy(original);

        Assert.Multiple(() =>
        {
            foreach (var property in properties)
            {
                Assert.That(property.GetValue(copy), Is.EqualTo(property.GetValue(original)), property.Name);
                Assert.That(property.GetValue(copy), Is.Not.EqualTo(property.GetValue(new LlamaSharpEngineOptions())), $"{property.Name}: the copy holds the changed value, not the default");
            }
        });
    }

    private static object Changed(PropertyInfo property, object? current)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(string) => "changed-" + property.Name,
            _ when type == typeof(int) => ((int?)current ?? 0) + 3,
            _ when type == typeof(long) => ((long?)current ?? 0) + 3,
            _ when type == typeof(bool) => !((bool?)current ?? false),
            _ when type == typeof(TimeSpan) => ((TimeSpan?)current ?? TimeSpan.Zero) + TimeSpan.FromMilliseconds(3),
            _ when type == typeof(PromptFormat) => Enum.GetValues<PromptFormat>().First(v => !Equals(v, current)),
            _ when type == typeof(JsonSchemaGrammarOptions) => JsonSchemaGrammarOptions.Default with { MaxWhitespace = JsonSchemaGrammarOptions.Default.MaxWhitespace + 1 },
            _ => throw new NotSupportedException($"Add a changed value for {property.Name} ({type.Name}) to this test."),
        };
    }
}
