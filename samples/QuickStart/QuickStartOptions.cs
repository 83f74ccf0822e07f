using System.CommandLine;

namespace QuickStart;

/// <summary>
/// The QuickStart's command line, parsed with System.CommandLine: <c>--help</c> prints the usage, and a mistyped or
/// contradictory option stops the program with a message instead of being ignored (a typo in <c>--evidence-db</c> must not
/// quietly send evidence somewhere else).
/// </summary>
public sealed class QuickStartOptions
{
    private static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print one JSON object (result, stages, usage, evidence paths) and nothing else.",
    };

    private static readonly Option<FileInfo> ModelOption = new Option<FileInfo>("--model")
    {
        Description = "Run on this GGUF model in-process (llama.cpp, CPU backend) instead of the scripted engine.",
        HelpName = "PATH.gguf",
    }.AcceptExistingOnly();

    private static readonly Option<FileInfo?> EvidenceDbOption = new("--evidence-db")
    {
        Description = "The encrypted evidence database (default: ARuntime/QuickStart/evidence.db under the user's local app data).",
        HelpName = "PATH",
    };

    private static readonly Option<FileInfo?> KeyFileOption = new("--key-file")
    {
        Description = "The owner-only key file for the evidence database, created on first run (default: beside the default database).",
        HelpName = "PATH",
    };

    private static readonly Option<bool> InMemoryEvidenceOption = new("--in-memory-evidence")
    {
        Description = "Keep evidence in memory instead of an encrypted file (a recorded opt-out: every record says so).",
    };

    private static readonly Option<bool> OtelConsoleOption = new("--otel-console")
    {
        Description = "Print the runtime's OpenTelemetry spans and metrics to standard output.",
    };

    private QuickStartOptions()
    {
    }

    /// <summary>Gets whether to print only one JSON object.</summary>
    public bool Json { get; private init; }

    /// <summary>Gets the GGUF model to run on, or <see langword="null"/> for the scripted engine.</summary>
    public string? ModelPath { get; private init; }

    /// <summary>Gets the evidence database path given on the command line, if any.</summary>
    public string? EvidenceDb { get; private init; }

    /// <summary>Gets the key file path given on the command line, if any.</summary>
    public string? KeyFile { get; private init; }

    /// <summary>Gets whether evidence stays in memory.</summary>
    public bool InMemoryEvidence { get; private init; }

    /// <summary>Gets whether spans and metrics are printed to the console.</summary>
    public bool OtelConsole { get; private init; }

    /// <summary>Parses the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="exitCode">When the result is <see langword="null"/>: 0 after printing the help, non-zero after reporting an error.</param>
    /// <returns>The options, or <see langword="null"/> when the program should stop (help was asked for or the command line is invalid).</returns>
    public static QuickStartOptions? Parse(string[] args, out int exitCode)
    {
        var root = new RootCommand("ARuntime.Sdk QuickStart: one support request through all sixteen lifecycle stages, with encrypted evidence.")
        {
            JsonOption, ModelOption, EvidenceDbOption, KeyFileOption, InMemoryEvidenceOption, OtelConsoleOption,
        };
        root.Validators.Add(result =>
        {
            if (result.GetValue(InMemoryEvidenceOption) && (result.GetResult(EvidenceDbOption) is not null || result.GetResult(KeyFileOption) is not null))
            {
                result.AddError("--in-memory-evidence cannot be combined with --evidence-db or --key-file.");
            }
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 || parsed.Action is not null)
        {
            // Help, or the errors followed by the usage; System.CommandLine decides the exit code.
            exitCode = parsed.Invoke();
            return null;
        }

        exitCode = 0;
        return new QuickStartOptions
        {
            Json = parsed.GetValue(JsonOption),
            ModelPath = parsed.GetValue(ModelOption)?.FullName,
            EvidenceDb = parsed.GetValue(EvidenceDbOption)?.FullName,
            KeyFile = parsed.GetValue(KeyFileOption)?.FullName,
            InMemoryEvidence = parsed.GetValue(InMemoryEvidenceOption),
            OtelConsole = parsed.GetValue(OtelConsoleOption),
        };
    }
}
