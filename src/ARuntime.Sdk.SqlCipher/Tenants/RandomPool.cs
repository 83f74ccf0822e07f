using System.Security.Cryptography;

namespace ARuntime.Sdk.SqlCipher.Tenants;

/// <summary>
/// Salts and nonces from the operating system's CSPRNG, drawn 4 KiB at a time per thread: one
/// <see cref="RandomNumberGenerator.Fill"/> call per salt and per nonce was a fifth of the cost of preparing an evidence
/// record. Bytes handed out are wiped from the pool.
/// </summary>
internal static class RandomPool
{
    private const int PoolSize = 4096;

    [ThreadStatic]
    private static byte[]? pool;

    [ThreadStatic]
    private static int position;

    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > PoolSize / 4)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var bytes = pool;
        if (bytes is null || position + destination.Length > PoolSize)
        {
            bytes = pool ??= new byte[PoolSize];
            RandomNumberGenerator.Fill(bytes);
            position = 0;
        }

        var slice = bytes.AsSpan(position, destination.Length);
        slice.CopyTo(destination);
        CryptographicOperations.ZeroMemory(slice);
        position += destination.Length;
    }
}
