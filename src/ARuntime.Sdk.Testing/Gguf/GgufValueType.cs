namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>The GGUF metadata value type ids this writer uses (a subset of the specification's list).</summary>
internal enum GgufValueType : uint
{
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
}
