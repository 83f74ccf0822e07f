using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tests.Contracts;

public sealed class TraceContextTests
{
    [Test]
    public void A_w3c_traceparent_parses_and_formats_back()
    {
        const string header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        Assert.That(TraceContext.TryParse(header, "vendor=1", out var context), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(context!.TraceId, Is.EqualTo("4bf92f3577b34da6a3ce929d0e0e4736"));
            Assert.That(context.SpanId, Is.EqualTo("00f067aa0ba902b7"));
            Assert.That(context.Sampled, Is.True);
            Assert.That(context.TraceState, Is.EqualTo("vendor=1"));
            Assert.That(context.ToTraceParent(), Is.EqualTo(header));
        });
    }

    [TestCase("00-00000000000000000000000000000000-00f067aa0ba902b7-01", Description = "all-zero trace id")]
    [TestCase("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", Description = "all-zero span id")]
    [TestCase("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", Description = "uppercase")]
    [TestCase("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Description = "unknown version")]
    [TestCase("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", Description = "short")]
    [TestCase("", Description = "empty")]
    public void Malformed_traceparents_are_refused(string header) =>
        Assert.That(TraceContext.TryParse(header, null, out _), Is.False);
}
