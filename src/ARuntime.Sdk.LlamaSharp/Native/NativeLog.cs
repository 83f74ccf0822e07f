using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace ARuntime.Sdk.LlamaSharp.Native;

/// <summary>
/// Forwards llama.cpp's (process-wide) native log to an <see cref="ILogger"/> instead of stderr: joins the fragments
/// llama.cpp writes into lines, maps its levels (its chatty Info becomes Debug), and keeps the last warning and error
/// lines so a failed load can be explained by what llama.cpp said.
/// </summary>
internal static class NativeLog
{
    private const int RecentCapacity = 64;

    [ThreadStatic]
    private static StringBuilder? pending;

    [ThreadStatic]
    private static LLamaLogLevel pendingLevel;

    private static readonly Queue<(long Sequence, string Line)> Recent = new();
    private static long sequence;
    private static volatile ILogger? logger;

    /// <summary>Gets the callback handed to llama.cpp.</summary>
    public static NativeLogConfig.LLamaLogCallback Callback { get; } = OnNativeLog;

    /// <summary>Sets the logger that receives the native log (the most recently configured engine's).</summary>
    /// <param name="target">The logger.</param>
    public static void SetLogger(ILogger target) => logger = target;

    /// <summary>Gets a marker to pass to <see cref="LinesSince"/>.</summary>
    /// <returns>The marker.</returns>
    public static long Mark() => Interlocked.Read(ref sequence);

    /// <summary>Returns the warning and error lines logged after <paramref name="marker"/> (the last 64 at most).</summary>
    /// <param name="marker">A value from <see cref="Mark"/>.</param>
    /// <returns>The lines.</returns>
    public static IReadOnlyList<string> LinesSince(long marker)
    {
        lock (Recent)
        {
            return Recent.Where(r => r.Sequence > marker).Select(r => r.Line).ToList();
        }
    }

    private static void OnNativeLog(LLamaLogLevel level, string message)
    {
        // llama.cpp writes some lines in pieces (progress dots, "Continue" fragments); join them per thread.
        var builder = pending ??= new StringBuilder();
        if (level != LLamaLogLevel.Continue)
        {
            pendingLevel = level;
        }

        builder.Append(message);
        if (!message.EndsWith('\n'))
        {
            return;
        }

        var line = builder.ToString().TrimEnd('\n', '\r');
        builder.Clear();
        if (line.Trim(' ', '.').Length == 0)
        {
            return;
        }

        var effective = pendingLevel;
        if (effective is LLamaLogLevel.Warning or LLamaLogLevel.Error)
        {
            lock (Recent)
            {
                Recent.Enqueue((Interlocked.Increment(ref sequence), line));
                while (Recent.Count > RecentCapacity)
                {
                    Recent.Dequeue();
                }
            }
        }

        var target = logger;
        if (target is null)
        {
            return;
        }

        var mapped = effective switch
        {
            LLamaLogLevel.Error => LogLevel.Error,
            LLamaLogLevel.Warning => LogLevel.Warning,
            LLamaLogLevel.Info => LogLevel.Debug,
            _ => LogLevel.Trace,
        };

        try
        {
            if (target.IsEnabled(mapped))
            {
                Log.NativeMessage(target, mapped, line);
            }
        }
        catch (Exception)
        {
            // This runs inside llama.cpp (or inside LLamaSharp's native library loading): an exception from a host's
            // logger cannot unwind through native frames (the process dies), and during library loading it would make
            // the native library unusable for the whole process. The line is dropped instead.
        }
    }
}
