using System.Text.Json;
using ARuntime.Sdk.Context;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Inference;
using ARuntime.Sdk.Policy;
using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.Tests.Failures;

/// <summary>Shared helpers for the failure-model tests: identities, deployments, tools and sources that block on signals.</summary>
internal static class FailureTestKit
{
    public const string Tenant = "tenant-test";

    /// <summary>An identity whose roles grant the permission classes used by the kit's tools.</summary>
    public static RequestIdentity Identity(string actor = "user-test", params string[] roles) => new()
    {
        TenantId = Tenant,
        Actor = new ActorIdentity { Id = actor, Roles = roles.Length > 0 ? roles : ["kit.read", "kit.write"] },
    };

    /// <summary>A request for the kit identity.</summary>
    public static RuntimeRequest Request(string prompt, params string[] tools) => new()
    {
        Identity = Identity(),
        Task = new AgentTask { Prompt = prompt },
        AllowedTools = tools,
    };

    /// <summary>Lets side-effecting calls run (the default policy denies them).</summary>
    public static ARuntimeBuilder AllowWrites(this ARuntimeBuilder builder) =>
        builder.ConfigurePolicy(p => p.Rules.Add(new PolicyRule { Id = "allow-writes", Outcome = PolicyOutcome.Allow, MinSideEffect = SideEffectClass.ReversibleWrite }));

    /// <summary>Registers a deployment served by its own scripted engine on the harness's clock; the slot receives the engine.</summary>
    public static ARuntimeBuilder AddScripted(this ARuntimeBuilder builder, ModelDeployment deployment, EngineSlot slot, params ScriptedReply[] replies) =>
        builder.AddDeployment(deployment, sp => slot.Engine = new ScriptedInferenceEngine(sp.GetRequiredService<TimeProvider>(), replies));

    /// <summary>Registers another deployment served by the harness's own scripted engine.</summary>
    public static ARuntimeBuilder AddOnHarnessEngine(this ARuntimeBuilder builder, ModelDeployment deployment) =>
        builder.AddDeployment(deployment, sp => sp.GetRequiredKeyedService<IInferenceEngine>(AgentTestHarness.DeploymentName));

    /// <summary>Registers a read-only tool that counts its calls.</summary>
    public static ARuntimeBuilder AddLookup(this ARuntimeBuilder builder, Counter counter, string name = "lookup") =>
        builder.AddTool(
            (string key) =>
            {
                counter.Increment();
                return new { key, value = "v-" + key };
            },
            o =>
            {
                o.Name = name;
                o.Description = "Looks a key up.";
                o.PermissionClass = "kit.read";
                o.SideEffect = SideEffectClass.Read;
            });

    public static IReadOnlyList<EvidenceRecord> Kind(this RecordingEvidenceSink sink, AgentResult result, string kind) => sink.OfKind(result.RequestId, kind);

    public static EvidenceRecord StageRecord(this RecordingEvidenceSink sink, AgentResult result, LifecycleStage stage) =>
        sink.StageRecords(result.RequestId).Last(r => r.Stage == stage);

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>Receives an engine created lazily by dependency injection.</summary>
public sealed class EngineSlot
{
    public ScriptedInferenceEngine? Engine { get; set; }

    public int Calls => Engine?.CallCount ?? 0;
}

/// <summary>A thread-safe call counter.</summary>
public sealed class Counter
{
    private int value;

    public int Value => Volatile.Read(ref value);

    public void Increment() => Interlocked.Increment(ref value);
}

/// <summary>
/// A signal a test awaits to know a component was entered (no sleeps): <see cref="Enter"/> completes the n-th waiter.
/// </summary>
public sealed class Signal
{
    private readonly Lock gate = new();
    private readonly List<(int Count, TaskCompletionSource Source)> waiters = [];
    private int entered;

    public int Count => Volatile.Read(ref entered);

    public void Enter()
    {
        List<TaskCompletionSource> ready = [];
        lock (gate)
        {
            entered++;
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (entered >= waiters[i].Count)
                {
                    ready.Add(waiters[i].Source);
                    waiters.RemoveAt(i);
                }
            }
        }

        foreach (var source in ready)
        {
            source.TrySetResult();
        }
    }

    public Task WhenEnteredAsync(int count = 1)
    {
        lock (gate)
        {
            if (entered >= count)
            {
                return Task.CompletedTask;
            }

            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, source));
            return source.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}

/// <summary>A context source scripted per call: items, an empty answer, an exception, or a hang until cancelled.</summary>
internal sealed class ScriptedContextSource(string name, params Func<ContextQuery, ContextSourceResult?>?[] script) : IContextSource
{
    private int calls;

    public string Name => name;

    public Signal Entered { get; } = new();

    public int Calls => Volatile.Read(ref calls);

    public List<ContextQuery> Queries { get; } = [];

    /// <summary>A script step that hangs until the source's timeout or the request's cancellation.</summary>
    public static Func<ContextQuery, ContextSourceResult?>? Hang => null;

    public static Func<ContextQuery, ContextSourceResult?> Items(params ContextItem[] items) => _ => new ContextSourceResult { Items = items, IndexVersion = "idx-1" };

    public static Func<ContextQuery, ContextSourceResult?> Throws => _ => throw new InvalidOperationException("source down");

    public async ValueTask<ContextSourceResult> FetchAsync(ContextQuery query, CancellationToken cancellationToken = default)
    {
        var index = Interlocked.Increment(ref calls) - 1;
        lock (Queries)
        {
            Queries.Add(query);
        }

        Entered.Enter();
        var step = index < script.Length ? script[index] : script[^1];
        if (step is null)
        {
            // Waits only for cancellation (the source timeout runs on the runtime's fake clock).
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        return step!(query)!;
    }
}
