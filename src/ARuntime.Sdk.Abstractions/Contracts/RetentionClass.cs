namespace ARuntime.Sdk.Contracts;

/// <summary>How long the records and data a request produces are kept. Stores map each class to a concrete period.</summary>
public enum RetentionClass
{
    /// <summary>Kept only as long as needed to answer; evidence keeps the minimum (hashes and decisions).</summary>
    Transient = 0,

    /// <summary>The host's standard retention period.</summary>
    Standard = 1,

    /// <summary>A longer, regulated retention period.</summary>
    Extended = 2,

    /// <summary>Kept until the hold is released; never purged by schedule.</summary>
    LegalHold = 3,
}
