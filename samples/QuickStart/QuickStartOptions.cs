namespace QuickStart;

/// <summary>The QuickStart's command line.</summary>
public sealed class QuickStartOptions
{
    /// <summary>Gets or sets whether to print only one JSON object.</summary>
    public bool Json { get; set; }

    private readonly List<string> unparsed = [];

    /// <summary>Gets the arguments not recognised here, for the engine, evidence and telemetry setups.</summary>
    public IReadOnlyList<string> Unparsed => unparsed;

    /// <summary>Parses the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The options.</returns>
    public static QuickStartOptions Parse(string[] args)
    {
        var options = new QuickStartOptions();
        foreach (var arg in args)
        {
            if (arg == "--json")
            {
                options.Json = true;
            }
            else
            {
                options.unparsed.Add(arg);
            }
        }

        return options;
    }

    /// <summary>Returns the value following <paramref name="name"/>, if present.</summary>
    /// <param name="name">The option name, for example <c>--model</c>.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? ValueOf(string name)
    {
        var index = unparsed.IndexOf(name);
        return index >= 0 && index + 1 < unparsed.Count ? unparsed[index + 1] : null;
    }

    /// <summary>Returns whether the flag <paramref name="name"/> is present.</summary>
    /// <param name="name">The flag.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Has(string name) => unparsed.Contains(name);
}
