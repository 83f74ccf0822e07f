namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>Block sizes of ggml tensor types (elements per block, bytes per block), to compute how many bytes a tensor occupies.</summary>
internal static class GgmlTypeSizes
{
    // Indexed by ggml_type; (0, 0) marks ids that are retired or unknown to this table.
    private static readonly (int Elements, int Bytes)[] Blocks = BuildTable();

    /// <summary>Computes the bytes a tensor of <paramref name="elements"/> elements of <paramref name="type"/> occupies.</summary>
    /// <param name="type">The ggml type id.</param>
    /// <param name="elements">The element count.</param>
    /// <param name="bytes">The byte size.</param>
    /// <returns><see langword="false"/> for a type this table does not know.</returns>
    public static bool TryGetByteSize(uint type, long elements, out long bytes)
    {
        bytes = 0;
        if (type >= Blocks.Length || Blocks[type].Elements == 0)
        {
            return false;
        }

        var (blockElements, blockBytes) = Blocks[type];
        var blocks = (elements + blockElements - 1) / blockElements;
        bytes = checked(blocks * blockBytes);
        return true;
    }

    private static (int, int)[] BuildTable()
    {
        var table = new (int, int)[40];
        table[0] = (1, 4);      // F32
        table[1] = (1, 2);      // F16
        table[2] = (32, 18);    // Q4_0
        table[3] = (32, 20);    // Q4_1
        table[6] = (32, 22);    // Q5_0
        table[7] = (32, 24);    // Q5_1
        table[8] = (32, 34);    // Q8_0
        table[9] = (32, 36);    // Q8_1
        table[10] = (256, 84);  // Q2_K
        table[11] = (256, 110); // Q3_K
        table[12] = (256, 144); // Q4_K
        table[13] = (256, 176); // Q5_K
        table[14] = (256, 210); // Q6_K
        table[15] = (256, 292); // Q8_K
        table[16] = (256, 66);  // IQ2_XXS
        table[17] = (256, 74);  // IQ2_XS
        table[18] = (256, 98);  // IQ3_XXS
        table[19] = (256, 50);  // IQ1_S
        table[20] = (32, 18);   // IQ4_NL
        table[21] = (256, 110); // IQ3_S
        table[22] = (256, 82);  // IQ2_S
        table[23] = (256, 136); // IQ4_XS
        table[24] = (1, 1);     // I8
        table[25] = (1, 2);     // I16
        table[26] = (1, 4);     // I32
        table[27] = (1, 8);     // I64
        table[28] = (1, 8);     // F64
        table[29] = (256, 56);  // IQ1_M
        table[30] = (1, 2);     // BF16
        table[34] = (256, 54);  // TQ1_0
        table[35] = (256, 66);  // TQ2_0
        table[39] = (32, 17);   // MXFP4
        return table;
    }
}
