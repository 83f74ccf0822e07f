using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;
using ARuntime.Sdk.SqlCipher.Native;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// <c>sqlcipher-open</c>: opens a keyed store in a fresh process, so the store makes the process-wide native library choice
/// itself (SQLitePCLRaw has one provider per process; a test process has already chosen SQLCipher). Prints
/// <c>OPENED &lt;cipher version&gt;</c> or <c>REFUSED &lt;exception type&gt; &lt;message&gt;</c>; exits 0 either way.
/// Arguments: database path, <see cref="SqlCipherLibraryResolution"/> name, then the native library names to try.
/// </summary>
internal sealed class SqlCipherOpenScenario : IChildProcessScenario
{
    public string Name => "sqlcipher-open";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var key = StoreKey.Generate();
        var options = new SqlCipherStoreOptions
        {
            DatabasePath = args[0],
            KeyProvider = StoreKeyProvider.FromKey(key),
            NativeLibrary = Enum.Parse<SqlCipherLibraryResolution>(args[1]),
            PurgeInterval = TimeSpan.Zero,
        };
        options.NativeLibraryNames.Clear();
        foreach (var name in args[2..])
        {
            options.NativeLibraryNames.Add(name);
        }

        try
        {
            await using var store = await SqlCipherStore.OpenAsync(options, cancellationToken: cancellationToken);
            Console.WriteLine($"OPENED {store.Library.CipherVersion}");
        }
#pragma warning disable CA1031 // The scenario reports whatever was thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.WriteLine($"REFUSED {ex.GetType().Name} {ex.Message.ReplaceLineEndings(" ")}");
        }

        return 0;
    }
}
