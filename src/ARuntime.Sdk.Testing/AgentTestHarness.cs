using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Testing;

/// <summary>
/// A ready runtime for unit tests: the real lifecycle, composed through dependency injection, with a
/// <see cref="ScriptedInferenceEngine"/> as the model, a <see cref="RecordingEvidenceSink"/> as evidence and a
/// <see cref="FakeTimeProvider"/> as the clock. Add your tools, policy rules and stores through <c>configure</c>.
/// </summary>
/// <example>
/// <code>
/// await using var harness = AgentTestHarness.Create(
///     b => b.AddTool(GetWeather, o => { o.PermissionClass = "weather.read"; o.SideEffect = SideEffectClass.Read; }),
///     ScriptedReply.CallTool("GetWeather", new { city = "Oslo" }),
///     ScriptedReply.Answer("It is sunny."));
/// var result = await harness.RunAsync("Weather in Oslo?", "GetWeather");
/// Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed));
/// </code>
/// </example>
public sealed class AgentTestHarness : IAsyncDisposable
{
    /// <summary>The deployment name the scripted engine is registered under.</summary>
    public const string DeploymentName = "scripted";

    private readonly ServiceProvider provider;

    private AgentTestHarness(ServiceProvider provider, ScriptedInferenceEngine engine, RecordingEvidenceSink evidence, FakeTimeProvider time)
    {
        this.provider = provider;
        Engine = engine;
        Evidence = evidence;
        Time = time;
        Runtime = provider.GetRequiredService<IAgentRuntime>();
    }

    /// <summary>Gets the runtime under test.</summary>
    public IAgentRuntime Runtime { get; }

    /// <summary>Gets the scripted engine (add replies, inspect the requests it received).</summary>
    public ScriptedInferenceEngine Engine { get; }

    /// <summary>Gets the evidence the runtime wrote.</summary>
    public RecordingEvidenceSink Evidence { get; }

    /// <summary>Gets the clock; advance it to drive deadlines and timeouts.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>
    /// Gets the approval expiry sweeper. The harness turns the runtime's scheduled sweep off
    /// (<see cref="Approvals.ApprovalOptions.ExpirySweepInterval"/> is <see langword="null"/> unless the options callback sets
    /// it), so a test advances <see cref="Time"/> past an approval's expiry and then calls <c>ExpirySweeper.SweepAsync()</c>.
    /// </summary>
    public ApprovalExpirySweeper ExpirySweeper => provider.GetRequiredService<ApprovalExpirySweeper>();

    /// <summary>Gets the service provider (to resolve stores and other services).</summary>
    public IServiceProvider Services => provider;

    /// <summary>Gets or sets the identity <see cref="NewRequest"/> uses.</summary>
    public RequestIdentity DefaultIdentity { get; set; } = new()
    {
        TenantId = "tenant-test",
        Actor = new ActorIdentity { Id = "user-test", Roles = [] },
    };

    /// <summary>Creates a harness.</summary>
    /// <param name="configure">Registers tools, policy rules and stores; may be <see langword="null"/>.</param>
    /// <param name="replies">The scripted engine's replies.</param>
    /// <returns>The harness.</returns>
    public static AgentTestHarness Create(Action<ARuntimeBuilder>? configure, params ScriptedReply[] replies) =>
        Create(configure, null, replies);

    /// <summary>Creates a harness.</summary>
    /// <param name="configure">Registers tools, policy rules and stores; may be <see langword="null"/>.</param>
    /// <param name="options">Configures the runtime options; may be <see langword="null"/>.</param>
    /// <param name="replies">The scripted engine's replies.</param>
    /// <returns>The harness.</returns>
    public static AgentTestHarness Create(Action<ARuntimeBuilder>? configure, Action<ARuntimeOptions>? options, params ScriptedReply[] replies)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
        var engine = new ScriptedInferenceEngine(time, replies);
        var evidence = new RecordingEvidenceSink();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        var builder = services.AddARuntime(o =>
            {
                o.AgentName = "test-agent";

                // Deterministic tests: on the fake clock a scheduled sweep would race the test's own resume of an expired
                // approval. Tests end expired approvals with ExpirySweeper.SweepAsync (or set an interval in options).
                o.Approvals.ExpirySweepInterval = null;
                options?.Invoke(o);
            })
            .AddEngine(DeploymentName, engine)
            .UseEvidenceSink(_ => evidence);
        configure?.Invoke(builder);
        return new AgentTestHarness(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), engine, evidence, time);
    }

    /// <summary>Creates a request for <see cref="DefaultIdentity"/>.</summary>
    /// <param name="prompt">The task prompt.</param>
    /// <param name="allowedTools">The tools the model may use.</param>
    /// <returns>The request.</returns>
    public RuntimeRequest NewRequest(string prompt, params string[] allowedTools) => new()
    {
        Identity = DefaultIdentity,
        Task = new AgentTask { Prompt = prompt },
        AllowedTools = allowedTools,
    };

    /// <summary>Runs a request for <see cref="DefaultIdentity"/>.</summary>
    /// <param name="prompt">The task prompt.</param>
    /// <param name="allowedTools">The tools the model may use.</param>
    /// <returns>The result.</returns>
    public Task<AgentResult> RunAsync(string prompt, params string[] allowedTools) => Runtime.RunAsync(NewRequest(prompt, allowedTools));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
