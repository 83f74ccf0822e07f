namespace ARuntime.Sdk.Contracts;

/// <summary>What a request may do with agent memory.</summary>
public enum MemoryMode
{
    /// <summary>Memory is neither read nor written.</summary>
    None = 0,

    /// <summary>Memory may be read as context; nothing is retained.</summary>
    Read = 1,

    /// <summary>Memory may be read, and the memory decision stage may retain new items.</summary>
    ReadWrite = 2,
}
