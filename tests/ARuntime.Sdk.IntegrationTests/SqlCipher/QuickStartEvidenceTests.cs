using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.IntegrationTests.Infrastructure;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;

namespace ARuntime.Sdk.IntegrationTests.SqlCipher;

/// <summary>The QuickStart writes its evidence to an encrypted file and reports where.</summary>
public sealed class QuickStartEvidenceTests
{
    [Test]
    public async Task The_QuickStart_writes_encrypted_verifiable_evidence_and_reports_absolute_paths()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-quickstart-evidence", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            // Relative paths on the command line; the output reports them absolute.
            var first = await RunQuickStartAsync(directory, "--json", "--evidence-db", "data/evidence.db", "--key-file", "keys/evidence.key");
            var second = await RunQuickStartAsync(directory, "--json", "--evidence-db", "data/evidence.db", "--key-file", "keys/evidence.key");

            var database = first.GetProperty("evidenceDb").GetString()!;
            var keyFile = first.GetProperty("keyFile").GetString()!;
            var keyText = File.ReadAllText(keyFile).Trim();
            await using var store = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions { DatabasePath = database, KeyProvider = StoreKeyProvider.FromFile(keyFile) });
            var records = await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", RequestId = first.GetProperty("requestId").GetString() }).ToListAsync();
            var report = await store.Evidence.VerifyAsync("acme");
            var header = new byte[16];
            using (var stream = new FileStream(database, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                stream.ReadExactly(header);
            }

            Assert.Multiple(() =>
            {
                Assert.That(first.GetProperty("status").GetString(), Is.EqualTo("Completed"));
                Assert.That(database, Is.EqualTo(Path.Combine(directory, "data", "evidence.db")));
                Assert.That(keyFile, Is.EqualTo(Path.Combine(directory, "keys", "evidence.key")));
                Assert.That(keyText, Does.Match("^[0-9a-f]{64}$"));
                Assert.That(System.Text.Encoding.ASCII.GetString(header), Is.Not.EqualTo("SQLite format 3\0"));
                Assert.That(records, Has.Count.EqualTo(first.GetProperty("evidenceRecords").GetInt32()));
                Assert.That(second.GetProperty("keyFile").GetString(), Is.EqualTo(keyFile), "the second run reuses the key file");
                Assert.That(report.IsValid, Is.True, report.Message);
                Assert.That(report.TreeSize, Is.EqualTo(first.GetProperty("evidenceRecords").GetInt32() + second.GetProperty("evidenceRecords").GetInt32()));
            });
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(keyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task The_QuickStart_json_output_is_one_object_with_the_result_the_stages_and_the_evidence_paths()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-quickstart-evidence", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var stdout = await RunQuickStartRawAsync(directory, "--json", "--evidence-db", "data/evidence.db", "--key-file", "keys/evidence.key");

            Assert.That(TopLevelValueKinds(stdout), Is.EqualTo(new[] { JsonTokenType.StartObject }), "stdout holds exactly one JSON object and nothing else");
            var output = JsonDocument.Parse(stdout).RootElement;
            var stages = output.GetProperty("stages");
            Assert.That(stages.ValueKind, Is.EqualTo(JsonValueKind.Array));
            Assert.Multiple(() =>
            {
                Assert.That(output.GetProperty("status").GetString(), Is.EqualTo("Completed"));
                Assert.That(output.GetProperty("answer").GetString(), Is.Not.Null.And.Not.Empty);
                Assert.That(output.GetProperty("requestId").GetString(), Is.Not.Null.And.Not.Empty);
                Assert.That(output.GetProperty("usage").ValueKind, Is.EqualTo(JsonValueKind.Object));
                Assert.That(Path.IsPathFullyQualified(output.GetProperty("evidenceDb").GetString()!), Is.True, "evidenceDb is absolute");
                Assert.That(Path.IsPathFullyQualified(output.GetProperty("keyFile").GetString()!), Is.True, "keyFile is absolute");
                Assert.That(stages.GetArrayLength(), Is.EqualTo(16));
                Assert.That(stages.EnumerateArray().Select(s => s.ValueKind), Is.All.EqualTo(JsonValueKind.Object));
                Assert.That(stages.EnumerateArray().Select(s => s.GetProperty("name").GetString()), Is.EqualTo(Enum.GetNames<LifecycleStage>()), "all sixteen stages, in lifecycle order");
                Assert.That(stages.EnumerateArray().Select(s => s.GetProperty("outcome").ValueKind), Is.All.EqualTo(JsonValueKind.String));
                Assert.That(stages.EnumerateArray().Select(s => s.GetProperty("outcome").GetString()), Is.All.Not.Empty);
                Assert.That(stages.EnumerateArray().Select(s => s.GetProperty("durationMs").ValueKind), Is.All.EqualTo(JsonValueKind.Number));
            });
            Assert.That(stages.EnumerateArray().Select(s => s.GetProperty("durationMs").GetDouble()), Is.All.GreaterThanOrEqualTo(0));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The kind of each top-level JSON value in <paramref name="text"/> (throws if it is not JSON).</summary>
    private static List<JsonTokenType> TopLevelValueKinds(string text)
    {
        var kinds = new List<JsonTokenType>();
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
            {
                kinds.Add(reader.TokenType);
            }
        }

        return kinds;
    }

    private static async Task<JsonElement> RunQuickStartAsync(string workingDirectory, params string[] args) =>
        JsonDocument.Parse(await RunQuickStartRawAsync(workingDirectory, args)).RootElement.Clone();

    private static async Task<string> RunQuickStartRawAsync(string workingDirectory, params string[] args)
    {
        var (exitCode, output, errors) = await QuickStartProcess.RunAsync(workingDirectory, args);
        Assert.That(exitCode, Is.Zero, errors);
        return output;
    }
}
