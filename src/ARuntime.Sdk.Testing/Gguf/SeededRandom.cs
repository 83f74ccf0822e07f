using System.Text;

namespace ARuntime.Sdk.Testing.Gguf;

/// <summary>
/// A small, fully specified pseudo-random generator (xoshiro256**, seeded through SplitMix64) so the same model spec
/// writes the same bytes on every machine and .NET version; <see cref="Random"/> makes no such promise across versions.
/// Each tensor gets its own stream, derived from the model seed and the tensor's name, so tensors do not depend on
/// the order in which they are written.
/// </summary>
internal struct SeededRandom
{
    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    public SeededRandom(int seed, string streamName)
    {
        // FNV-1a over the stream name, mixed with the seed, then expanded by SplitMix64 as xoshiro's authors recommend.
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(streamName))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var state = hash ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL);
        s0 = SplitMix64(ref state);
        s1 = SplitMix64(ref state);
        s2 = SplitMix64(ref state);
        s3 = SplitMix64(ref state);
    }

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Returns a float uniformly distributed in [-1, 1), from 24 random bits (exact in single precision).</summary>
    public float NextSymmetric() => ((NextUInt64() >> 40) * (1.0f / (1 << 23))) - 1.0f;

    private static ulong RotateLeft(ulong value, int count) => (value << count) | (value >> (64 - count));

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
