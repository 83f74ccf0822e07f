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
    private const int LinuxNotSupported = 95;
    private const int MacNotSupported = 45;
    private const int MacOperationNotSupported = 102;
    private const int MacFullFSync = 51;

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
            // macOS: fsync reaches the drive but not its cache; F_FULLFSYNC does (as FileStream.Flush(true) does for files).
            if (OperatingSystem.IsMacOS() && FControl(descriptor, MacFullFSync) == 0)
            {
                return;
            }

            // Some file systems cannot flush a directory at all; there is nothing more to do on those.
            if (FSync(descriptor) != 0 && Marshal.GetLastPInvokeError() is var error && !Unsupported(error))
            {
                throw new IOException($"The directory {directory} could not be flushed to stable storage (errno {error}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private static bool Unsupported(int error) =>
        error == InvalidArgument || (OperatingSystem.IsMacOS() ? error is MacNotSupported or MacOperationNotSupported : error == LinuxNotSupported);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int descriptor);

    // Called with no variable argument (F_FULLFSYNC takes none), so the variadic calling convention does not matter.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FControl(int descriptor, int command);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
