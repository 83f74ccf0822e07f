namespace ARuntime.Sdk.SqlCipher.Memory;

/// <summary>
/// Okapi BM25 from FTS4's <c>matchinfo(…, 'pcnalx')</c> (k1 = 1.2, b = 0.75). FTS4 has no built-in ranking, so the score
/// is computed here.
/// </summary>
internal static class Bm25
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    public static double Score(byte[] matchInfo)
    {
        var values = new int[matchInfo.Length / 4];
        Buffer.BlockCopy(matchInfo, 0, values, 0, values.Length * 4);
        var phrases = values[0];
        var columns = values[1];
        var rows = (double)values[2];
        var averageOffset = 3;
        var lengthOffset = averageOffset + columns;
        var hitsOffset = lengthOffset + columns;
        var score = 0.0;
        for (var phrase = 0; phrase < phrases; phrase++)
        {
            for (var column = 0; column < columns; column++)
            {
                var x = hitsOffset + (3 * ((phrase * columns) + column));
                var hitsHere = values[x];
                var rowsWithHit = values[x + 2];
                if (hitsHere == 0)
                {
                    continue;
                }

                var idf = Math.Log(((rows - rowsWithHit + 0.5) / (rowsWithHit + 0.5)) + 1.0);
                var length = values[lengthOffset + column];
                var average = Math.Max(1, values[averageOffset + column]);
                score += idf * (hitsHere * (K1 + 1)) / (hitsHere + (K1 * (1 - B + (B * length / average))));
            }
        }

        return score;
    }
}
