using ARuntime.Sdk.LlamaSharp.Scheduling;

namespace ARuntime.Sdk.LlamaSharp.Tests.Scheduling;

public sealed class JsonCompletionTrackerTests
{
    [TestCase("{\"a\":1}")]
    [TestCase("  [1,[2,{\"b\":\"]}\"}]]")]
    [TestCase("{\"s\":\"\\\"}\"}")]
    [TestCase("\"x\\\"y\"")]
    [TestCase("true")]
    [TestCase("null")]
    [TestCase("false")]
    public void CompletesExactlyWhenTheRootValueCloses(string json)
    {
        var tracker = new JsonCompletionTracker();
        for (var i = 0; i < json.Length; i++)
        {
            Assert.That(tracker.IsComplete, Is.False, $"complete too early, before char {i}");
            tracker.Feed(json.AsSpan(i, 1));
        }

        Assert.That(tracker.IsComplete, Is.True);
    }

    [Test]
    public void NumberRoot_IsLeftToEndOfGeneration()
    {
        var tracker = new JsonCompletionTracker();

        tracker.Feed("12.5");

        Assert.That(tracker.IsComplete, Is.False);
    }
}
