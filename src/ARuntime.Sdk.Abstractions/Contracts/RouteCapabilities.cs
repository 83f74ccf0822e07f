namespace ARuntime.Sdk.Contracts;

/// <summary>Capabilities a model deployment offers, or a route requires.</summary>
public sealed record RouteCapabilities
{
    /// <summary>No requirement.</summary>
    public static RouteCapabilities None { get; } = new();

    /// <summary>Gets whether the deployment can propose tool calls.</summary>
    public bool ToolCalling { get; init; }

    /// <summary>Gets whether the deployment can constrain output to a JSON Schema while generating.</summary>
    public bool ConstrainedOutput { get; init; }

    /// <summary>Gets whether the deployment streams tokens.</summary>
    public bool Streaming { get; init; }

    /// <summary>Gets the context length in tokens (offered), or the minimum required.</summary>
    public int ContextTokens { get; init; }

    /// <summary>Returns whether these (offered) capabilities satisfy <paramref name="required"/>.</summary>
    /// <param name="required">The required capabilities.</param>
    /// <returns><see langword="true"/> when every required capability is offered.</returns>
    public bool Satisfies(RouteCapabilities required)
    {
        ArgumentNullException.ThrowIfNull(required);
        return (!required.ToolCalling || ToolCalling)
            && (!required.ConstrainedOutput || ConstrainedOutput)
            && (!required.Streaming || Streaming)
            && ContextTokens >= required.ContextTokens;
    }
}
