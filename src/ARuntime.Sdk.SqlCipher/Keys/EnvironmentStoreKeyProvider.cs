namespace ARuntime.Sdk.SqlCipher.Keys;

/// <summary>Reads the database key from an environment variable holding 64 hexadecimal characters.</summary>
public sealed class EnvironmentStoreKeyProvider : IStoreKeyProvider
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="variableName">The variable.</param>
    public EnvironmentStoreKeyProvider(string variableName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variableName);
        VariableName = variableName;
    }

    /// <summary>Gets the variable name.</summary>
    public string VariableName { get; }

    /// <inheritdoc />
    public string Description => $"environment variable {VariableName}";

    /// <inheritdoc />
    public ValueTask<StoreKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        var value = Environment.GetEnvironmentVariable(VariableName);
        if (string.IsNullOrEmpty(value))
        {
            throw new StoreKeyException($"The environment variable {VariableName} that should hold the database key is not set.");
        }

        return ValueTask.FromResult(StoreKey.FromHex(value, Description));
    }
}
