using ARuntime.Sdk.IntegrationTests.Infrastructure;

namespace ARuntime.Sdk.IntegrationTests.QuickStart;

/// <summary>The QuickStart's command line: help on request, and a wrong option stops it before anything is written.</summary>
public sealed class QuickStartCommandLineTests
{
    private string directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-quickstart-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task Help_lists_every_option_and_runs_nothing()
    {
        var (exitCode, output, _) = await QuickStartProcess.RunAsync(directory, "--help", "--evidence-db", "evidence.db", "--key-file", "evidence.key");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero);
            Assert.That(output, Does.Contain("--json").And.Contain("--model").And.Contain("--evidence-db").And.Contain("--key-file")
                .And.Contain("--in-memory-evidence").And.Contain("--otel-console"));
            Assert.That(output, Does.Not.Contain("Status:"), "no request ran");
            Assert.That(Directory.EnumerateFileSystemEntries(directory), Is.Empty, "no evidence database or key file was created");
        });
    }

    [TestCase(new[] { "--evidence-dbb", "evidence.db", "--key-file", "evidence.key" }, "--evidence-dbb", TestName = "A mistyped option is refused, not ignored")]
    [TestCase(new[] { "--evidence-db", "evidence.db", "--key-file", "evidence.key", "--model" }, "--model", TestName = "An option without its value is refused")]
    [TestCase(new[] { "--evidence-db", "evidence.db", "--key-file", "evidence.key", "--model", "missing.gguf" }, "missing.gguf", TestName = "A model file that does not exist is refused")]
    [TestCase(new[] { "--in-memory-evidence", "--evidence-db", "evidence.db" }, "--in-memory-evidence cannot be combined", TestName = "Contradictory evidence options are refused")]
    public async Task A_wrong_command_line_stops_with_a_message_before_anything_is_written(string[] args, string named)
    {
        var (exitCode, output, errors) = await QuickStartProcess.RunAsync(directory, args);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(errors, Does.Contain(named), "the error names what is wrong");
            Assert.That(output, Does.Not.Contain("Status:"), "no request ran");
            Assert.That(Directory.EnumerateFileSystemEntries(directory), Is.Empty, "no evidence database or key file was created");
        });
    }
}
