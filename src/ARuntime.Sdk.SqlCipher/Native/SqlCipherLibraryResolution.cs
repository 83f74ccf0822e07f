namespace ARuntime.Sdk.SqlCipher.Native;

/// <summary>
/// How the store finds the SQLCipher native library. SQLitePCLRaw has one provider per process, so the first store opened
/// in a process decides; later stores reuse that choice.
/// </summary>
public enum SqlCipherLibraryResolution
{
    /// <summary>
    /// Use a SQLitePCLRaw provider the host already configured (for example a SQLCipher bundle package), otherwise load the
    /// system library by <see cref="SqlCipherStoreOptions.NativeLibraryNames"/>. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Use only a provider the host configured before the store opened; fail when there is none.</summary>
    HostConfigured = 1,

    /// <summary>Load the system library by <see cref="SqlCipherStoreOptions.NativeLibraryNames"/>; fail when a different provider is already configured.</summary>
    SystemLibrary = 2,
}
