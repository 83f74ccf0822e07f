using ARuntime.Sdk.Context;

namespace ARuntime.Sdk.Tests.Support;

/// <summary>A context source that returns fixed items (and records the queries it got).</summary>
internal sealed class StaticContextSource(string name, params ContextItem[] items) : IContextSource
{
    public List<ContextQuery> Queries { get; } = [];

    public string Name => name;

    public ValueTask<ContextSourceResult> FetchAsync(ContextQuery query, CancellationToken cancellationToken = default)
    {
        Queries.Add(query);
        return ValueTask.FromResult(new ContextSourceResult { Items = items, IndexVersion = "kb-7" });
    }
}
