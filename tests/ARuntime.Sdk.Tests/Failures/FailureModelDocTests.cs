using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>
/// Keeps docs/failure-model.md honest: it has every row of the reference architecture's failure model in the seed's own
/// words, and every test its last column names (as <c>ClassName.MethodName</c>) exists as a test method, here or in the
/// integration tests.
/// </summary>
public sealed partial class FailureModelDocTests
{
    /// <summary>The seed table's rows (reference architecture, "Failure model"), cell by cell.</summary>
    private static readonly string[][] SeedRows =
    [
        ["Model timeout or refusal", "Deadline/stop reason", "Bounded failure or qualified fallback", "Retry only within budget and policy; route fallback may change capability", "Route, model version, attempts, final status"],
        ["Invalid structured output", "Schema/domain validation", "No tool side effect", "Repair or regenerate with bounded attempts", "Validation errors and retry strategy"],
        ["Context retrieval failure", "Source timeout, empty set, freshness rule", "State missing context or stop", "Retry source, use approved fallback, never fabricate", "Requested and unavailable sources"],
        ["Tool timeout", "Tool deadline and status", "Pending, failed, or partial result", "Retry only if idempotent or operation status can be queried", "Operation key and observed side effects"],
        ["Authorization denial", "Policy decision", "Explain bounded denial", "No automatic privilege expansion; approval only through configured path", "Policy version, reason codes, authority"],
        ["Partial side effect", "Tool result plus system-of-record check", "Show partial state and recovery status", "Compensate or reconcile; do not blind retry", "Changed resources and compensation"],
        ["Duplicate execution", "Idempotency record", "Return prior result or conflict", "Never repeat irreversible effect", "Original and duplicate request identifiers"],
        ["Budget exhaustion", "Token, time, cost, or action counters", "Pause or return partial qualified result", "Approval may extend budget; otherwise stop", "Budget use and termination reason"],
        ["Trace persistence failure", "Evidence write status", "Fail closed for evidence-required work or mark degraded", "Buffer within bounded retention; reconcile later", "Gap record and recovery status"],
    ];

    [Test]
    public void TheTable_HasEverySeedRowInTheSeedsWords_AndATestColumn()
    {
        var rows = TableRows();

        Assert.Multiple(() =>
        {
            Assert.That(rows[0], Is.EqualTo(new[] { "Failure", "Detection", "User-visible behavior", "Retry and recovery", "Evidence", "Proven by" }));
            foreach (var seed in SeedRows)
            {
                var row = rows.FirstOrDefault(r => r[0] == seed[0]);
                Assert.That(row, Is.Not.Null, $"the row '{seed[0]}' is missing");
                Assert.That(row?.Take(5), Is.EqualTo(seed), $"the row '{seed[0]}' must keep the seed's wording");
            }
        });
    }

    [Test]
    public void EveryRow_NamesTests_ThatExist()
    {
        var rows = TableRows().Skip(1).ToList();
        var tests = TestMethods();

        Assert.Multiple(() =>
        {
            Assert.That(rows, Has.Count.GreaterThanOrEqualTo(SeedRows.Length));
            foreach (var row in rows)
            {
                var names = TestName().Matches(row[^1]).Select(m => m.Groups[1].Value).ToList();
                Assert.That(names, Is.Not.Empty, $"the row '{row[0]}' names no test");
                foreach (var name in names)
                {
                    Assert.That(tests, Does.Contain(name), $"the row '{row[0]}' names `{name}`, which is not a test method");
                }
            }
        });
    }

    private static List<string[]> TableRows()
    {
        var lines = File.ReadAllLines(DocPath());
        var start = Array.FindIndex(lines, l => l.StartsWith("| Failure |", StringComparison.Ordinal));
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "docs/failure-model.md has no failure table");
        return [.. lines.Skip(start)
            .TakeWhile(l => l.StartsWith('|'))
            .Where(l => !l.StartsWith("|---", StringComparison.Ordinal))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())];
    }

    private static string DocPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "docs", "failure-model.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/failure-model.md was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every test method of this assembly and of the integration tests, as <c>ClassName.MethodName</c>.</summary>
    private static HashSet<string> TestMethods()
    {
        var assemblies = new List<Assembly> { typeof(FailureModelDocTests).Assembly };

        // tests/ARuntime.Sdk.Tests/bin/<configuration>/<tfm>/ -> tests/ARuntime.Sdk.IntegrationTests/bin/<configuration>/<tfm>/
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var integration = Path.Combine(here.Parent!.Parent!.Parent!.Parent!.FullName, "ARuntime.Sdk.IntegrationTests", "bin", here.Parent.Name, here.Name, "ARuntime.Sdk.IntegrationTests.dll");
        Assert.That(File.Exists(integration), Is.True, "the integration tests are built with this project: " + integration);
        var context = new AssemblyLoadContext("failure-model-doc", isCollectible: true);
        context.Resolving += (c, name) => Path.Combine(Path.GetDirectoryName(integration)!, name.Name + ".dll") is var path && File.Exists(path) ? c.LoadFromAssemblyPath(path) : null;
        assemblies.Add(context.LoadFromAssemblyPath(integration));

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var assembly in assemblies)
        {
            foreach (var type in LoadableTypes(assembly))
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttributesData().Any(a => a.AttributeType.Name is "TestAttribute" or "TestCaseAttribute" or "TestCaseSourceAttribute"))
                    {
                        names.Add(type.Name + "." + method.Name);
                    }
                }
            }
        }

        return names;
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    [GeneratedRegex(@"`([A-Za-z0-9_]+\.[A-Za-z0-9_]+)`")]
    private static partial Regex TestName();
}
