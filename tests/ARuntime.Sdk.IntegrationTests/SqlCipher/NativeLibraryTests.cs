using ARuntime.Sdk.IntegrationTests.Infrastructure;
using ARuntime.Sdk.SqlCipher.Native;

namespace ARuntime.Sdk.IntegrationTests.SqlCipher;

/// <summary>
/// The store's choice of native library, made in a fresh child process (SQLitePCLRaw's provider is process-wide and frozen
/// once chosen, so this process cannot switch it): the system SQLCipher named in the options opens; a plain SQLite library,
/// a library that is not there, or a host-configured provider that was never configured is refused with a typed error that
/// says what to install, and no plaintext is written.
/// </summary>
public sealed class NativeLibraryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private string directory = null!;

    private string DatabasePath => Path.Combine(directory, "store.db");

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-native", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task The_system_SQLCipher_library_named_in_the_options_opens_an_encrypted_store()
    {
        var sqlCipher = RequireLoadable(OperatingSystem.IsLinux() ? "libsqlcipher.so.0" : OperatingSystem.IsMacOS() ? "libsqlcipher.dylib" : null);

        var opened = await OpenInChildAsync(nameof(SqlCipherLibraryResolution.SystemLibrary), sqlCipher);

        Assert.Multiple(() =>
        {
            Assert.That(opened, Does.StartWith("OPENED "), "the same scenario opens with SQLCipher, so the refusals below are the library's doing");
            Assert.That(new FileInfo(DatabasePath).Length, Is.GreaterThan(0));
            Assert.That(File.ReadAllBytes(DatabasePath).AsSpan(0, 15).SequenceEqual("SQLite format 3"u8), Is.False, "the file is encrypted");
        });
    }

    [Test]
    public async Task A_plain_SQLite_library_is_refused_with_what_to_install_and_nothing_is_written_in_plaintext()
    {
        var plainSqlite = RequireLoadable(OperatingSystem.IsLinux() ? "libsqlite3.so.0" : OperatingSystem.IsMacOS() ? "libsqlite3.dylib" : null);

        var refused = await OpenInChildAsync(nameof(SqlCipherLibraryResolution.SystemLibrary), plainSqlite);

        Assert.Multiple(() =>
        {
            Assert.That(refused, Does.StartWith($"REFUSED {nameof(SqlCipherUnavailableException)} "));
            Assert.That(refused, Does.Contain("not SQLCipher"));
            Assert.That(refused, Does.Contain(SqlCipherUnavailableException.InstallHint));
            Assert.That(!File.Exists(DatabasePath) || new FileInfo(DatabasePath).Length == 0, Is.True, "the plain library wrote no database");
        });
    }

    [Test]
    public async Task A_SQLCipher_library_that_is_not_there_is_refused_naming_what_was_tried_and_what_to_install()
    {
        var missing = Path.Combine(directory, "no-such-dir", "libsqlcipher.so.0");

        var refused = await OpenInChildAsync(nameof(SqlCipherLibraryResolution.Auto), missing);

        Assert.Multiple(() =>
        {
            Assert.That(refused, Does.StartWith($"REFUSED {nameof(SqlCipherUnavailableException)} "));
            Assert.That(refused, Does.Contain($"The SQLCipher library was not found (tried: {missing})"));
            Assert.That(refused, Does.Contain(SqlCipherUnavailableException.InstallHint));
            Assert.That(File.Exists(DatabasePath), Is.False);
        });
    }

    [Test]
    public async Task HostConfigured_without_a_configured_provider_is_refused_instead_of_loading_a_system_library()
    {
        var refused = await OpenInChildAsync(nameof(SqlCipherLibraryResolution.HostConfigured), "libsqlcipher.so.0");

        Assert.Multiple(() =>
        {
            Assert.That(refused, Does.StartWith($"REFUSED {nameof(SqlCipherUnavailableException)} "));
            Assert.That(refused, Does.Contain("no SQLitePCLRaw provider is configured"));
            Assert.That(refused, Does.Contain(SqlCipherUnavailableException.InstallHint));
            Assert.That(File.Exists(DatabasePath), Is.False);
        });
    }

    private static string RequireLoadable(string? libraryName)
    {
        if (libraryName is null || !System.Runtime.InteropServices.NativeLibrary.TryLoad(libraryName, out var handle))
        {
            Assert.Ignore($"{libraryName ?? "The library"} cannot be loaded on this machine.");
            return null!;
        }

        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return libraryName;
    }

    private async Task<string> OpenInChildAsync(string resolution, string libraryName)
    {
        await using var child = ChildProcess.Start("sqlcipher-open", DatabasePath, resolution, libraryName);
        var exitCode = await child.WaitForExitAsync(Patience);
        Assert.That(exitCode, Is.Zero, string.Join(Environment.NewLine, child.Errors));
        return child.Output.Single(l => l.StartsWith("OPENED ", StringComparison.Ordinal) || l.StartsWith("REFUSED ", StringComparison.Ordinal));
    }
}
