using System.Diagnostics;
using ARuntime.Sdk.LlamaSharp.Telemetry;
using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

public sealed class TelemetryTests
{
    [Test]
    public async Task InferenceSpan_DoesNotCarryTheTenantId()
    {
        // The runtime shows a tenant only as a hash, or not at all (TelemetryOptions.Tenant); the engine's span, exported by
        // AddARuntimeInstrumentation() with the runtime's, must not undo that.
        const string tenant = "tenant-acme-4471";
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LlamaSharpTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var engine = TestEngines.Create(TestEngines.TinyModel);
        var request = TestEngines.Request("Once upon a time", maxTokens: 4) with { RequestId = "req-telemetry-1", TenantId = tenant };

        await engine.InferAsync(request);

        Activity span;
        lock (spans)
        {
            span = spans.Single(a => a.OperationName == "llama.infer" && Equals(a.GetTagItem("aruntime.request_id"), "req-telemetry-1"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(span.TagObjects.Select(t => t.Value?.ToString()), Has.None.Contains(tenant));
            Assert.That(span.Events.SelectMany(e => e.Tags).Select(t => t.Value?.ToString()), Has.None.Contains(tenant));
            Assert.That(span.GetTagItem("gen_ai.provider.name"), Is.EqualTo("llama.cpp"), "the current GenAI conventions' provider attribute");
            Assert.That(span.GetTagItem("gen_ai.system"), Is.Null, "not the deprecated one");
        });
    }
}
