namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// The element type of the weight matrices in a synthetic GGUF model. The numeric values are ggml's own type ids, as
/// written in the GGUF tensor table. Norm vectors are always written as <see cref="F32"/>, as llama.cpp's converters do.
/// </summary>
public enum GgufTensorType
{
    /// <summary>32-bit IEEE 754 floats (ggml type 0): the most exact and the largest file, 4 bytes per parameter.</summary>
    F32 = 0,

    /// <summary>16-bit IEEE 754 half floats (ggml type 1): half the file size, exercising llama.cpp's F16 kernels.</summary>
    F16 = 1,
}
