namespace ARuntime.Sdk.Inference;

/// <summary>The form the model's output must take.</summary>
public enum ResponseFormatKind
{
    /// <summary>Free text.</summary>
    Text = 0,

    /// <summary>JSON satisfying <see cref="InferenceResponseFormat.Schema"/>; engines that support constrained output enforce it while generating.</summary>
    JsonSchema = 1,
}
