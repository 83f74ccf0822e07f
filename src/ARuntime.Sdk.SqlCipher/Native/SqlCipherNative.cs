using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ARuntime.Sdk.SqlCipher.Native;

/// <summary>
/// Chooses the process-wide SQLitePCLRaw provider. SQLitePCLRaw holds one provider per process and connections keep using
/// the provider that opened them, so the choice is made once, under a lock, and frozen; every later store reuses it.
/// </summary>
internal static class SqlCipherNative
{
    private static readonly Lock Gate = new();
    private static (string Source, string Name)? selection;

    /// <summary>Gets the default library names for the current operating system, in the order they are tried.</summary>
    public static IReadOnlyList<string> DefaultLibraryNames { get; } =
        OperatingSystem.IsWindows() ? ["sqlcipher.dll", "sqlcipher"]
        : OperatingSystem.IsMacOS() ? ["libsqlcipher.dylib", "libsqlcipher.0.dylib", "/opt/homebrew/lib/libsqlcipher.dylib", "/usr/local/lib/libsqlcipher.dylib"]
        : ["libsqlcipher.so.0", "libsqlcipher.so"];

    /// <summary>Makes sure a SQLite provider is configured for this process, and returns where it came from.</summary>
    /// <param name="resolution">How to find the library.</param>
    /// <param name="libraryNames">The names or paths to try for the system library.</param>
    /// <returns>The provider's source (<c>host-configured</c> or <c>system</c>) and library name.</returns>
    public static (string Source, string Name) EnsureInitialized(SqlCipherLibraryResolution resolution, IReadOnlyList<string> libraryNames)
    {
        lock (Gate)
        {
            if (selection is { } chosen)
            {
                if (resolution == SqlCipherLibraryResolution.HostConfigured && chosen.Source != "host-configured")
                {
                    throw new SqlCipherUnavailableException(
                        $"NativeLibrary is HostConfigured, but this process already runs on the system library '{chosen.Name}' chosen by an earlier store.");
                }

                return chosen;
            }

            // Microsoft.Data.Sqlite's static constructor initializes a referenced SQLitePCLRaw bundle (Batteries_V2.Init);
            // run it first so that a provider the host brought in is seen.
            RuntimeHelpers.RunClassConstructor(typeof(SqliteConnection).TypeHandle);
            var configured = TryGetConfiguredProviderName();
            if (configured is not null)
            {
                if (resolution == SqlCipherLibraryResolution.SystemLibrary)
                {
                    throw new SqlCipherUnavailableException(
                        $"NativeLibrary is SystemLibrary, but a SQLite provider ('{configured}') is already configured in this process and cannot be replaced safely.");
                }

                selection = ("host-configured", configured);
                raw.FreezeProvider();
                return selection.Value;
            }

            if (resolution == SqlCipherLibraryResolution.HostConfigured)
            {
                throw new SqlCipherUnavailableException(
                    "NativeLibrary is HostConfigured, but no SQLitePCLRaw provider is configured in this process (call the bundle's Batteries_V2.Init() or raw.SetProvider() first).");
            }

            var tried = new List<string>();
            foreach (var name in libraryNames)
            {
                if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out var handle))
                {
                    tried.Add(name);
                    continue;
                }

                SQLite3Provider_dynamic_cdecl.Setup(name, new FunctionPointerResolver(handle));
                raw.SetProvider(new SQLite3Provider_dynamic_cdecl());

                // Later SetProvider calls (for example another package's bundle) become no-ops instead of switching the
                // library under open connections.
                raw.FreezeProvider();
                selection = ("system", name);
                return selection.Value;
            }

            throw new SqlCipherUnavailableException($"The SQLCipher library was not found (tried: {string.Join(", ", tried)}).");
        }
    }

    private static string? TryGetConfiguredProviderName()
    {
        try
        {
            return raw.GetNativeLibraryName();
        }
#pragma warning disable CA1031 // SQLitePCLRaw signals "no provider" with a plain Exception.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
