namespace ARuntime.Sdk.Policy;

/// <summary>What an <see cref="ArgumentTransformation"/> does to the arguments. Policy documents use the names in parentheses.</summary>
public enum ArgumentTransformKind
{
    /// <summary>Sets the value at the path (<c>set</c>), creating the last member when absent; the parent must exist.</summary>
    Set = 0,

    /// <summary>Removes the value at the path (<c>remove</c>); nothing happens when it is absent.</summary>
    Remove = 1,

    /// <summary>Replaces the value at the path with a redaction marker (<c>redact</c>; <c>"[REDACTED]"</c> unless a value is given).</summary>
    Redact = 2,

    /// <summary>Narrows a number at the path into [minimum, maximum] (<c>clamp</c>).</summary>
    Clamp = 3,

    /// <summary>Narrows an array at the path to the elements that equal one of the given values (<c>keepOnly</c>).</summary>
    KeepOnly = 4,
}
