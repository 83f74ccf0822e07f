using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.SqlCipher.Tests.Approvals;

/// <summary>
/// The expiry sweep on the durable store: a request paused by one process is ended, when its approval expires, by the
/// runtime of a later process — with its books closed in the store's journal and its evidence in the verified log.
/// </summary>
public sealed class ApprovalExpirySweepOnStoreTests
{
    private string directory = null!;

    [SetUp]
    public void SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-sweep", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    private ServiceProvider Process(FakeTimeProvider time, List<decimal> paid, params ScriptedReply[] replies)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddARuntime(o =>
            {
                o.ApplicationRelease = "test/1";
                o.Approvals.ExpirySweepInterval = null;
            })
            .AddEngine("scripted", new ScriptedInferenceEngine(time, replies))
            .AddTool((decimal amount) => { paid.Add(amount); return amount; }, o => { o.Name = "pay"; o.PermissionClass = "pay"; o.SideEffect = SideEffectClass.Irreversible; })
            .ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "pay-needs-approval", Outcome = PolicyOutcome.RequireApproval, Tools = ["pay"], Approval = new ApprovalRequirement { ExpiresAfter = TimeSpan.FromHours(1) } }))
            .UseSqlCipherStore(o => TestStore.InDirectory(o, directory));
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task A_request_paused_by_one_process_is_ended_by_the_next_when_its_approval_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var paid = new List<decimal>();
        AgentResult paused;
        await using (var first = Process(time, paid, ScriptedReply.CallTool("pay", new { amount = 300 }), ScriptedReply.Answer("paid")))
        {
            paused = await first.GetRequiredService<IAgentRuntime>().RunAsync(new RuntimeRequest
            {
                Identity = new RequestIdentity { TenantId = "acme", Actor = new ActorIdentity { Id = "u1", Roles = ["pay"] } },
                Task = new AgentTask { Prompt = "Pay 300" },
                AllowedTools = ["pay"],
            });
        }

        time.Advance(TimeSpan.FromHours(1));
        await using var second = Process(time, paid);
        var approvals = second.GetRequiredService<IApprovalStore>();
        var listed = await approvals.ListExpiredAsync(time.GetUtcNow()).ToListAsync();

        var sweep = await second.GetRequiredService<ApprovalExpirySweeper>().SweepAsync();

        var status = await second.GetRequiredService<IAgentRuntime>().GetStatusAsync("acme", paused.RequestId);
        var evidence = second.GetRequiredService<IEvidenceReader>();
        var decided = await evidence.QueryAsync(new EvidenceQuery { TenantId = "acme", RequestId = paused.RequestId, Kind = EvidenceKinds.ApprovalDecided }).SingleAsync();
        var verification = await second.GetRequiredService<SqlCipherStore>().Evidence.VerifyAsync("acme");
        Assert.Multiple(async () =>
        {
            Assert.That(paused.Status, Is.EqualTo(AgentRunStatus.PendingApproval), paused.Error?.Message);
            Assert.That(listed.Select(a => (a.TenantId, a.ApprovalId, a.RequestId)), Is.EqualTo(new[] { ("acme", paused.PendingApproval!.ApprovalId, paused.RequestId) }));
            Assert.That(sweep.Ended.Single().Status, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(paid, Is.Empty);
            Assert.That(status!.State, Is.EqualTo(RequestState.Finished));
            Assert.That(status.FinalStatus, Is.EqualTo(AgentRunStatus.Expired));
            Assert.That(decided.Attributes["ended.by"], Is.EqualTo("expiry_sweep"));
            Assert.That(verification.IsValid, Is.True, verification.Message);
            Assert.That(await approvals.ListExpiredAsync(time.GetUtcNow()).CountAsync(), Is.Zero, "a claimed approval is not listed again");
            Assert.That(await approvals.GetAsync("acme", paused.PendingApproval!.ApprovalId), Is.Null);
        });
    }
}
