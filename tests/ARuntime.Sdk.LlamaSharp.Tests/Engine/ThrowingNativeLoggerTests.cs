using ARuntime.Sdk.LlamaSharp.Tests.Engine.Support;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.LlamaSharp.Tests.Engine;

/// <summary>
/// llama.cpp's own log reaches the host's logger through a callback from native code, where an exception cannot
/// unwind: a host logger that throws (a failing sink, say) must not take the process down.
/// </summary>
public sealed class ThrowingNativeLoggerTests
{
    [Test]
    public async Task HostLoggerThrowingOnLlamaCppsLog_DoesNotCrashTheProcess()
    {
        using var loggers = new ThrowingLoggerFactory("ARuntime.Sdk.LlamaSharp.Native");
        var options = TestEngines.Options(TestEngines.TinyModel);
        await using var engine = new LlamaSharpEngine(options, "test", loggers);

        // Loading and decoding make llama.cpp log (its Info lines arrive as Debug).
        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 4));

        Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0));
    }

    [Test]
    public async Task HostLoggerThrowingOnTheEnginesLoadedModelLine_LeavesALoadedWorkingEngine()
    {
        // The engine logs "loaded model" (event 11) once it is ready; a sink failing then must not fail the load or free the weights
        // the running scheduler uses (the load's error path disposes them).
        using var loggers = new ThrowingLoggerFactory(typeof(LlamaSharpEngine).FullName!, onlyEventId: 11);
        var options = TestEngines.Options(TestEngines.TinyModel);
        await using var engine = new LlamaSharpEngine(options, "test", loggers);

        await engine.LoadAsync();
        var result = await engine.InferAsync(TestEngines.Request("hello", maxTokens: 4));

        Assert.Multiple(() =>
        {
            Assert.That(engine.IsLoaded, Is.True);
            Assert.That(result.Usage.GeneratedTokens, Is.GreaterThan(0));
        });
    }

    /// <summary>Gives a throwing logger for <paramref name="category"/> only, so the engine's own logging works.</summary>
    private sealed class ThrowingLoggerFactory(string category, int? onlyEventId = null) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => categoryName == category ? new ThrowingLogger(onlyEventId) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Throws on every line, or only on the event <paramref name="onlyEventId"/>.</summary>
    private sealed class ThrowingLogger(int? onlyEventId) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (onlyEventId is null || eventId.Id == onlyEventId)
            {
                throw new InvalidOperationException("log sink failed");
            }
        }
    }
}
