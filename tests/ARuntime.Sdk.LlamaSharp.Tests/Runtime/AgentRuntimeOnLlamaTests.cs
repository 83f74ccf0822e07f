using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.LlamaSharp.Tests.Runtime;

/// <summary>The whole lifecycle on real llama.cpp: the runtime's output envelope reaches the engine as a grammar.</summary>
public sealed class AgentRuntimeOnLlamaTests
{
    private const string Contract = """
        {"type":"object","properties":{"verdict":{"enum":["approve","reject"]},"score":{"type":"integer","minimum":1,"maximum":5}},
         "required":["verdict","score"],"additionalProperties":false}
        """;

    [TestCaseSource(typeof(TestEngines), nameof(TestEngines.Models))]
    public async Task ContractedAnswer_FromARealModel_IsValidAndRecorded(string model)
    {
        // Resolved here, not inside the options callback: a missing optional model must skip the test, and inside the
        // runtime the skip would surface as a failed route selection.
        var modelPath = TestEngines.Resolve(model);
        var services = new ServiceCollection();
        services.AddARuntime(o => o.ApplicationRelease = "test/1")
            .UseLlamaSharp("local", o =>
            {
                o.ModelPath = modelPath;
                o.ContextSize = 2048;
                o.MaxOutputTokens = 200;
            })
            .UseInMemoryEvidence();
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<IAgentRuntime>();

        var result = await runtime.RunAsync(new RuntimeRequest
        {
            Identity = new RequestIdentity
            {
                TenantId = "t1",
                Actor = new ActorIdentity { Id = "alice" },
                Workload = new WorkloadIdentity { Id = "tests", Release = "test/1" },
            },
            Task = new AgentTask { Prompt = "Review the expense report." },
            Route = new ModelRoute { Deployment = "local" },
            Output = OutputContract.FromJson(Contract, "review"),
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(AgentRunStatus.Completed), result.Error?.Message);
            Assert.That(result.Deployment, Is.EqualTo("local"));
            Assert.That(result.StructuredAnswer, Is.Not.Null);
            Assert.That(JsonSchema.FromText(Contract).Evaluate(result.StructuredAnswer!.Value).IsValid, Is.True, result.StructuredAnswer?.GetRawText());
            Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0));
            Assert.That(result.EvidenceRecordCount, Is.GreaterThan(0));
        });
    }
}
