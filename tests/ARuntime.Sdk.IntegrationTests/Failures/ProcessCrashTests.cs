using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.IntegrationTests.Infrastructure;
using ARuntime.Sdk.Serialization;

namespace ARuntime.Sdk.IntegrationTests.Failures;

/// <summary>
/// Process crash mid-request, for real: a child process runs a request with the encrypted SQLCipher store (journal and
/// evidence), is killed (SIGKILL) while a side effect is under way, and a second process opened on the same store reports
/// the request as interrupted, with its evidence and the in-doubt operation — never silently lost.
/// </summary>
public sealed class ProcessCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Test]
    public async Task KilledMidRequest_IsReportedInterruptedOnRestart_WithItsEvidence()
    {
        var directory = Directory.CreateTempSubdirectory("aruntime-crash-");
        try
        {
            string requestId, operationKey;
            await using (var crashing = ChildProcess.Start("failures-crash", directory.FullName))
            {
                var ready = await crashing.WaitForLineAsync(line => line.StartsWith("READY ", StringComparison.Ordinal), Patience);
                var parts = ready.Split(' ');
                (requestId, operationKey) = (parts[1], parts[2]);
                await crashing.KillAsync();
            }

            await using var restarted = ChildProcess.Start("failures-recover", directory.FullName, requestId);
            await restarted.WaitForLineAsync(line => line == "DONE", Patience);
            Assert.That(await restarted.WaitForExitAsync(Patience), Is.Zero);

            var status = JsonSerializer.Deserialize(restarted.Output.Single(l => l.StartsWith("STATUS ", StringComparison.Ordinal))[7..], ARuntimeJsonContext.Default.RequestStatus)!;
            var records = restarted.Output.Where(l => l.StartsWith("RECORD ", StringComparison.Ordinal))
                .Select(l => JsonSerializer.Deserialize(l[7..], ARuntimeJsonContext.Default.EvidenceRecord)!)
                .ToList();
            var interrupted = records.Single(r => r.Kind == EvidenceKinds.Interrupted);
            var retry = restarted.Output.Single(l => l.StartsWith("RETRY ", StringComparison.Ordinal)).Split(' ');
            Assert.Multiple(() =>
            {
                Assert.That(status.State, Is.EqualTo(RequestState.Interrupted));
                Assert.That(status.FinalStatus, Is.EqualTo(AgentRunStatus.Interrupted));
                Assert.That(status.Stage, Is.EqualTo(LifecycleStage.ToolExecution));
                Assert.That(records.Where(r => r.Kind == EvidenceKinds.Stage).Select(r => r.Stage), Is.SupersetOf(new[] { LifecycleStage.Admission, LifecycleStage.Inference, LifecycleStage.Authorization }), "what the first process did is still there");
                Assert.That(records.Single(r => r.Kind == EvidenceKinds.ToolStarted).Attributes["operation.key"], Is.EqualTo(operationKey));
                Assert.That(records.Where(r => r.Kind == EvidenceKinds.ToolCall), Is.Empty, "the side effect never reported an outcome");
                Assert.That(interrupted.ReasonCodes, Does.Contain("operation.in_doubt"));
                Assert.That(interrupted.Attributes["in_doubt_operations"], Is.EqualTo(operationKey));
                Assert.That(interrupted.Attributes["last.stage"], Is.EqualTo(nameof(LifecycleStage.ToolExecution)));
                Assert.That(interrupted.TraceId, Is.EqualTo(records[0].TraceId), "the interruption is correlated with the request's trace");
                Assert.That(retry[1], Is.EqualTo(nameof(AgentRunStatus.Interrupted)), "a retry under the idempotency key is answered with the recorded interruption");
                Assert.That(retry[2], Is.EqualTo(requestId), "the retry replays the original request; nothing runs again");
                Assert.That(retry[3], Is.EqualTo(AgentErrorCodes.Interrupted));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
