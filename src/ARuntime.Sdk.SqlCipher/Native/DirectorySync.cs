using System.Runtime.InteropServices;

namespace ARuntime.Sdk.SqlCipher.Native;

/// <summary>
/// Flushes a directory's entries to stable storage (POSIX <c>fsync</c> on the directory). A file renamed into place is only
/// durable once its directory entry is: without this a power loss after the rename can bring back the old file, or none.
/// .NET refuses to open directories as files, hence the two libc calls.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int InvalidArgument = 22;
    private const int NotSupported = 95;

    /// <summary>Flushes <paramref name="directory"/>; a no-op on Windows, where the file system journals the rename itself.</summary>
    /// <exception cref="IOException">The directory could not be flushed.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"The directory {directory} could not be opened to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            // Some file systems cannot flush a directory at all; there is nothing more to do on those.
            if (FSync(descriptor) != 0 && Marshal.GetLastPInvokeError() is var error && error is not (InvalidArgument or NotSupported))
            {
                throw new IOException($"The directory {directory} could not be flushed to stable storage (errno {error}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
