namespace ARuntime.Sdk.Contracts;

/// <summary>What a tool changes in the world. Ordered: a larger value is more consequential.</summary>
public enum SideEffectClass
{
    /// <summary>Pure computation; touches no external state.</summary>
    None = 0,

    /// <summary>Reads external state without changing it.</summary>
    Read = 1,

    /// <summary>Changes external state in a way a compensation action can undo.</summary>
    ReversibleWrite = 2,

    /// <summary>Changes external state in a way that cannot be undone (payments, messages sent, deletions).</summary>
    Irreversible = 3,
}
