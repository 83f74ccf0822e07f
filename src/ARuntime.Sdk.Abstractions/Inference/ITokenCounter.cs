namespace ARuntime.Sdk.Inference;

/// <summary>Counts tokens with a model's own tokenizer; engines expose it through <see cref="IInferenceEngine.GetService"/>.</summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    int CountTokens(string text);
}
