namespace ARuntime.Sdk.LlamaSharp.Grammar;

/// <summary>A compiled schema: the grammar that constrains sampling and the validator that re-checks the output.</summary>
/// <param name="Grammar">The grammar.</param>
/// <param name="Validator">The validator of the same schema.</param>
internal sealed record CompiledSchema(GbnfGrammar Grammar, SchemaValidator Validator);
