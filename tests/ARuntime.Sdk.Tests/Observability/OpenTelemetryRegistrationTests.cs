using System.Diagnostics;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Tests.Observability.Support;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ARuntime.Sdk.Tests.Observability;

public sealed class OpenTelemetryRegistrationTests
{
    [Test]
    public async Task AddARuntimeInstrumentation_ExportsTheRequestsSpans_WithTheDefaultSampler_AndTheyJoinTheEvidence()
    {
        var exported = new List<Activity>();
        using (var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddARuntimeInstrumentation().AddInMemoryExporter(exported).Build())
        {
            await using var harness = ObservedRuntime.Create(null);
            var result = await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
            tracing.ForceFlush();

            var records = harness.Evidence.ForRequest(result.RequestId);
            var traceId = records[0].TraceId!;
            var spans = exported.Where(a => a.TraceId.ToHexString() == traceId).ToDictionary(a => a.SpanId.ToHexString());
            Assert.Multiple(() =>
            {
                Assert.That(spans.Values.Select(a => a.DisplayName), Does.Contain("invoke_agent test-agent").And.Contain("execute_tool " + ObservedRuntime.ToolName));
                Assert.That(spans.Values.Count(a => a.DisplayName == "chat scripted-model"), Is.EqualTo(2));
                foreach (var record in records.Where(r => r.Kind == EvidenceKinds.Stage && r.Outcome != StageOutcome.NotReached))
                {
                    Assert.That(spans.ContainsKey(record.SpanId!), Is.True, $"the {record.Stage} record joins an exported span");
                }
            });
        }
    }

    [Test]
    public async Task AddARuntimeInstrumentation_ExportsTheMetrics_WithTheConventionsBucketAdvice()
    {
        var exported = new List<Metric>();
        using var metrics = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddARuntimeInstrumentation().AddInMemoryExporter(exported).Build();
        await using (var harness = ObservedRuntime.Create(null))
        {
            await harness.RunAsync("Where is my order A-1?", ObservedRuntime.ToolName);
        }

        metrics.ForceFlush();
        var duration = exported.Last(m => m.Name == "gen_ai.client.operation.duration");
        var bounds = new List<double>();
        foreach (ref readonly var point in duration.GetMetricPoints())
        {
            foreach (var bucket in point.GetHistogramBuckets())
            {
                bounds.Add(bucket.ExplicitBound);
            }

            break;
        }

        Assert.Multiple(() =>
        {
            Assert.That(duration.Unit, Is.EqualTo("s"));
            Assert.That(duration.MetricType, Is.EqualTo(MetricType.Histogram));
            Assert.That(bounds, Is.EqualTo(new[] { 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, double.PositiveInfinity }));
            Assert.That(exported.Select(m => m.Name), Does.Contain("gen_ai.client.token.usage").And.Contain("gen_ai.invoke_agent.duration").And.Contain("aruntime.policy.decisions"));
        });
    }
}
