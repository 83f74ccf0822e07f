namespace ARuntime.Sdk.Policy;

/// <summary>How an <see cref="ArgumentCondition"/> compares an argument with its operand. Policy documents use the names in parentheses.</summary>
public enum ArgumentOperator
{
    /// <summary>The argument equals the operand (<c>eq</c>). Numbers compare numerically, strings ordinally (or ignoring case), objects and arrays structurally.</summary>
    Equal = 0,

    /// <summary>The argument does not equal the operand, or is absent (<c>ne</c>).</summary>
    NotEqual = 1,

    /// <summary>The argument is less than the operand (<c>lt</c>): numbers numerically, strings ordinally.</summary>
    LessThan = 2,

    /// <summary>The argument is less than or equal to the operand (<c>le</c>).</summary>
    LessThanOrEqual = 3,

    /// <summary>The argument is greater than the operand (<c>gt</c>).</summary>
    GreaterThan = 4,

    /// <summary>The argument is greater than or equal to the operand (<c>ge</c>).</summary>
    GreaterThanOrEqual = 5,

    /// <summary>The argument equals one of the operand's elements (<c>in</c>; the operand is an array).</summary>
    In = 6,

    /// <summary>The argument equals none of the operand's elements, or is absent (<c>notIn</c>).</summary>
    NotIn = 7,

    /// <summary>The argument is present (<c>exists</c>; no operand).</summary>
    Exists = 8,

    /// <summary>The argument is absent (<c>notExists</c>; no operand).</summary>
    NotExists = 9,

    /// <summary>The argument is a string matching the operand, a .NET regular expression (<c>matches</c>; evaluated with a timeout, culture-invariant).</summary>
    Matches = 10,

    /// <summary>The argument is a string starting with the operand (<c>startsWith</c>).</summary>
    StartsWith = 11,

    /// <summary>The argument is a string ending with the operand (<c>endsWith</c>).</summary>
    EndsWith = 12,

    /// <summary>The argument is a string containing the operand, or an array with an element equal to it (<c>contains</c>).</summary>
    Contains = 13,
}
