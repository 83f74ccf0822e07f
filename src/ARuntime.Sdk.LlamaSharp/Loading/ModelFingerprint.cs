using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace ARuntime.Sdk.LlamaSharp.Loading;

/// <summary>
/// Computes a model file's version string from its content: <c>sha256:</c> and the first 16 hex digits of the file's
/// SHA-256 for files up to <see cref="FullHashLimitBytes"/>; above that, <c>sha256-sampled:</c> and a SHA-256 over the
/// file length and three 16 MiB windows (start, middle, end), so a multi-gigabyte model gets a stable version without
/// reading it whole at every start.
/// </summary>
internal static class ModelFingerprint
{
    /// <summary>Files up to this size are hashed whole.</summary>
    public const long FullHashLimitBytes = 1L << 30;

    private const int WindowBytes = 16 * 1024 * 1024;
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Computes the version string of a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops hashing.</param>
    /// <returns>The version string.</returns>
    public static async Task<string> ComputeAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var length = stream.Length;
            string prefix;
            if (length <= FullHashLimitBytes)
            {
                prefix = "sha256";
                await HashRangeAsync(stream, hash, 0, length, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                prefix = "sha256-sampled";
                Span<byte> lengthBytes = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, length);
                hash.AppendData(lengthBytes);
                await HashRangeAsync(stream, hash, 0, WindowBytes, cancellationToken).ConfigureAwait(false);
                await HashRangeAsync(stream, hash, (length / 2) - (WindowBytes / 2), WindowBytes, cancellationToken).ConfigureAwait(false);
                await HashRangeAsync(stream, hash, length - WindowBytes, WindowBytes, cancellationToken).ConfigureAwait(false);
            }

            var digest = hash.GetHashAndReset();
            return string.Create(CultureInfo.InvariantCulture, $"{prefix}:{Convert.ToHexStringLower(digest.AsSpan(0, 8))}");
        }
    }

    private static async Task HashRangeAsync(FileStream stream, IncrementalHash hash, long offset, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            stream.Seek(offset, SeekOrigin.Begin);
            while (count > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkBytes, count)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
