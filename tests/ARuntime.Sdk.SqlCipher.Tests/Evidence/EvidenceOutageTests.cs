using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.SqlCipher.Tests.Evidence;

/// <summary>
/// The "trace persistence failure" row on the real store: an acknowledged write returns before its commit, so when the
/// database then refuses the batch (here: SQLITE_READONLY) the records are handed back by the next flush
/// instead of being lost; the runtime keeps them in its bounded backlog, writes them when the store recovers and records
/// the gap.
/// </summary>
public sealed class EvidenceOutageTests
{
    [Test]
    public async Task Acknowledged_records_the_database_refused_are_handed_back_and_none_is_lost()
    {
        await using var test = await TestStore.OpenAsync(o => o.WriteRetries = 0);
        var evidence = test.Store.Evidence;
        await evidence.WriteAsync(Record("before", 1), EvidenceDurability.Durable);

        await SetWritableAsync(test.Store, writable: false);
        var refused = Enumerable.Range(1, 40).Select(i => Record("during", i)).ToList();
        var handedBack = new List<EvidenceRecord>();
        var refusedAtOnce = 0;
        foreach (var record in refused)
        {
            try
            {
                await evidence.WriteAsync(record, EvidenceDurability.Acknowledged);
            }
            catch (EvidenceWriteException ex)
            {
                // Once a batch has failed, a write fails at once (the caller keeps its record) and hands back the earlier ones.
                handedBack.AddRange(ex.UnwrittenRecords);
                handedBack.Add(record);
                refusedAtOnce++;
            }
        }

        var flush = await Assert.ThrowsAsync<EvidenceWriteException>(async () => await evidence.FlushAsync());
        handedBack.AddRange(flush!.UnwrittenRecords);
        Assert.Multiple(() =>
        {
            Assert.That(flush.InnerException, Is.Not.Null, "the flush says the store cannot commit now");
            Assert.That(handedBack.Select(r => r.RecordId), Is.EquivalentTo(refused.Select(r => r.RecordId)), "every refused record comes back to the caller, once");
            Assert.That(refusedAtOnce, Is.LessThan(refused.Count), "writes before the first failed commit were acknowledged");
        });

        // Written again once the store accepts writes: every record is in the log once, none is lost.
        await SetWritableAsync(test.Store, writable: true);
        foreach (var record in handedBack)
        {
            await evidence.WriteAsync(record, EvidenceDurability.Acknowledged);
        }

        await evidence.FlushAsync();
        var stored = await evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", RequestId = "req_during" }).ToListAsync();
        var report = await evidence.VerifyAsync("acme");
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(r => r.Sequence).Order(), Is.EqualTo(Enumerable.Range(1, 40)));
            Assert.That(test.Store.Evidence.Health.LostAcknowledgedRecords, Is.Zero);
            Assert.That(report.IsValid, Is.True, report.Message);
        });
    }

    [Test]
    public async Task A_request_that_runs_while_the_store_refuses_writes_is_degraded_and_its_records_arrive_with_a_gap_record()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-outage", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var services = new ServiceCollection();
            services.AddARuntime(o => o.Evidence.ReconcileInterval = null)
                .AddEngine("scripted", new ScriptedInferenceEngine(ScriptedReply.Answer("first"), ScriptedReply.Answer("second")))
                .UseSqlCipherStore(o =>
                {
                    TestStore.InDirectory(o, directory);
                    o.WriteRetries = 0;
                });
            await using var provider = services.BuildServiceProvider();
            var runtime = provider.GetRequiredService<IAgentRuntime>();
            var store = provider.GetRequiredService<SqlCipherStore>();
            await store.Evidence.WriteAsync(Record("warm-up", 1), EvidenceDurability.Durable);

            await SetWritableAsync(store, writable: false);
            var during = await runtime.RunAsync(Request());
            await SetWritableAsync(store, writable: true);
            var after = await runtime.RunAsync(Request());

            var records = await store.Evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", RequestId = during.RequestId }).ToListAsync();
            var gap = records.SingleOrDefault(r => r.Kind == EvidenceKinds.Gap);
            Assert.Multiple(() =>
            {
                Assert.That(during.Status, Is.EqualTo(AgentRunStatus.Completed), "the outage does not fail the request");
                Assert.That(during.EvidenceDegraded, Is.True, "it runs marked degraded");
                Assert.That(after.Status, Is.EqualTo(AgentRunStatus.Completed));
                Assert.That(records.Where(r => r.Kind == EvidenceKinds.Stage).Select(r => r.Stage).Distinct().Count(), Is.EqualTo(16), "every stage record of the degraded request reached the store");
                Assert.That(gap, Is.Not.Null, "a gap record says the request's evidence was delayed");
                Assert.That(store.Evidence.Health.LostAcknowledgedRecords, Is.Zero);
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Makes the writer's connection refuse every write (SQLITE_READONLY, as when the volume is remounted read-only), or
    /// accept writes again.
    /// </summary>
    private static Task SetWritableAsync(SqlCipherStore store, bool writable) =>
        store.Services.Writer.ExecuteAsync(context => context.Connection.Execute(writable ? "PRAGMA query_only = OFF" : "PRAGMA query_only = ON"), CancellationToken.None, exclusive: true);

    private static RuntimeRequest Request() => new()
    {
        Identity = new RequestIdentity { TenantId = "acme", Actor = new ActorIdentity { Id = "u1" } },
        Task = new AgentTask { Prompt = "Hello?" },
    };

    private static EvidenceRecord Record(string request, int sequence) => new()
    {
        RecordId = $"ev_{request}_{sequence}",
        RequestId = "req_" + request,
        TenantId = "acme",
        Sequence = sequence,
        Stage = LifecycleStage.ToolExecution,
        Kind = EvidenceKinds.Stage,
        Outcome = StageOutcome.Completed,
        Timestamp = new DateTimeOffset(2026, 1, 15, 9, 30, 0, TimeSpan.Zero).AddSeconds(sequence),
        Payloads = [new PayloadDigest { Name = "tool.result", Digest = new string('a', 64), Length = 900, Content = new string('p', 900) }],
    };
}
