namespace ARuntime.Sdk.Contracts;

/// <summary>How sensitive a piece of data is. Ordered: a larger value is more sensitive.</summary>
public enum Sensitivity
{
    /// <summary>May be disclosed to anyone.</summary>
    Public = 0,

    /// <summary>Internal to the organisation; the default for unlabelled data.</summary>
    Internal = 1,

    /// <summary>Limited to people and systems with a need to know.</summary>
    Confidential = 2,

    /// <summary>The most sensitive class (regulated or secret data); never leaves the tenant's boundary.</summary>
    Restricted = 3,
}
