using ARuntime.Sdk.IntegrationTests.Infrastructure;
using ARuntime.Sdk.SqlCipher.Keys;

namespace ARuntime.Sdk.IntegrationTests.Tools;

/// <summary>
/// The side-effect boundary across real processes sharing the encrypted SQLCipher store: a pending approval survives its
/// process, and a crash between a tool's effect and the recording of its result never makes the effect happen twice.
/// </summary>
public sealed class CrossProcessToolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private string directory = null!;
    private string database = null!;
    private string systemOfRecord = null!;
    private StoreKey key = null!;

    [SetUp]
    public void SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-tools-xproc", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        database = Path.Combine(directory, "runtime.db");
        systemOfRecord = Path.Combine(directory, "refunds.log");
        key = StoreKey.Generate();
    }

    [TearDown]
    public void TearDown()
    {
        key.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private string[] Refunds() => File.Exists(systemOfRecord) ? File.ReadAllLines(systemOfRecord) : [];

    [Test]
    public async Task An_approval_granted_in_a_second_process_after_the_first_died_completes_the_request()
    {
        string approvalId, requestId;
        await using (var first = ChildProcess.Start("tools-approval", "request", database, key.ToHexString(), systemOfRecord))
        {
            var pending = (await first.WaitForLineAsync(l => l.StartsWith("PENDING ", StringComparison.Ordinal) || l.StartsWith("UNEXPECTED", StringComparison.Ordinal), Patience)).Split(' ');
            Assert.That(pending[0], Is.EqualTo("PENDING"), string.Join(' ', pending));
            (approvalId, requestId) = (pending[1], pending[2]);
            await first.KillAsync();
        }

        Assert.That(Refunds(), Is.Empty, "nothing runs before the approval");

        await using var second = ChildProcess.Start("tools-approval", "resume", database, key.ToHexString(), systemOfRecord, approvalId);
        var result = (await second.WaitForLineAsync(l => l.StartsWith("RESULT ", StringComparison.Ordinal), Patience)).Split(' ', 5);
        Assert.That(await second.WaitForExitAsync(Patience), Is.Zero, string.Join('\n', second.Errors));

        Assert.That(result[1], Is.EqualTo("Completed"), string.Join(' ', result));
        Assert.That(result[2], Is.EqualTo(requestId), "the same request continued");
        Assert.That(result[4], Is.EqualTo("Refunded 120."));
        Assert.That(Refunds(), Has.Length.EqualTo(1));
    }

    [TestCase("with-status-query", "Deduplicated", "operation.reconciled_succeeded")]
    [TestCase("without-status-query", "Failed", "operation.in_doubt")]
    public async Task A_crash_after_the_effect_but_before_its_result_was_recorded_does_not_repeat_it_on_restart(string statusQuery, string outcome, string reason)
    {
        await using (var crashing = ChildProcess.Start("tools-crash", "crash", database, key.ToHexString(), systemOfRecord, statusQuery))
        {
            await crashing.WaitForLineAsync(l => l.StartsWith("EXECUTED ", StringComparison.Ordinal), Patience);
            await crashing.KillAsync();
        }

        Assert.That(Refunds(), Has.Length.EqualTo(1), "the effect happened once before the crash");

        await using var restarted = ChildProcess.Start("tools-crash", "restart", database, key.ToHexString(), systemOfRecord, statusQuery);
        var result = (await restarted.WaitForLineAsync(l => l.StartsWith("RESULT ", StringComparison.Ordinal), Patience)).Split(' ');
        Assert.That(await restarted.WaitForExitAsync(Patience), Is.Zero, string.Join('\n', restarted.Errors));

        Assert.That(Refunds(), Has.Length.EqualTo(1), "the restarted process did not repeat the effect");
        Assert.That(result[2], Is.EqualTo(outcome), string.Join(' ', result));
        Assert.That(result[3].Split(','), Does.Contain(reason).And.Contain("operation.in_doubt"));
    }
}
