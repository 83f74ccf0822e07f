namespace ARuntime.Sdk.LlamaSharp.Grammar.Compilation;

/// <summary>The JSON Schema drafts the compiler understands (from <c>$schema</c>; 2020-12 when absent).</summary>
internal enum SchemaDialect
{
    /// <summary>Draft 6.</summary>
    Draft6,

    /// <summary>Draft 7.</summary>
    Draft7,

    /// <summary>Draft 2019-09.</summary>
    Draft201909,

    /// <summary>Draft 2020-12 (the default).</summary>
    Draft202012,
}
