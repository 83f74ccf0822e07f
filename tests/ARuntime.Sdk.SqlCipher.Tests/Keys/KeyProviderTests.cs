using ARuntime.Sdk.Secrets;
using ARuntime.Sdk.SqlCipher.Keys;

namespace ARuntime.Sdk.SqlCipher.Tests.Keys;

public sealed class KeyProviderTests
{
    private string directory = null!;

    [SetUp]
    public void SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "aruntime-sqlcipher-keys", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task A_missing_key_file_is_created_owner_only_with_64_hex_characters()
    {
        var path = Path.Combine(directory, "nested", "store.key");
        var provider = StoreKeyProvider.FromFile(path, createIfMissing: true);

        using var first = await provider.GetKeyAsync();
        using var second = await provider.GetKeyAsync();

        var text = File.ReadAllText(path).Trim();
        Assert.Multiple(() =>
        {
            Assert.That(text, Has.Length.EqualTo(64).And.Match("^[0-9a-f]{64}$"));
            Assert.That(second.ToHexString(), Is.EqualTo(first.ToHexString()), "created once, then read");
            Assert.That(first.ToString(), Does.Not.Contain(text), "ToString never shows the key");
        });
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public void A_key_file_others_can_read_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix permissions only.");
            return;
        }

        var path = Path.Combine(directory, "loose.key");
        File.WriteAllText(path, new string('a', 64));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.That(async () => await StoreKeyProvider.FromFile(path).GetKeyAsync(), Throws.TypeOf<StoreKeyException>().With.Message.Contains("chmod 600"));
    }

    [Test]
    public void Malformed_or_missing_keys_give_typed_errors_that_name_the_source_not_the_key()
    {
        var shortKey = Path.Combine(directory, "short.key");
        File.WriteAllText(shortKey, "abc123");
        var badChars = Path.Combine(directory, "bad.key");
        File.WriteAllText(badChars, new string('z', 64));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shortKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(badChars, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Assert.Multiple(() =>
        {
            Assert.That(async () => await StoreKeyProvider.FromFile(Path.Combine(directory, "none.key")).GetKeyAsync(), Throws.TypeOf<StoreKeyException>().With.Message.Contains("does not exist"));
            Assert.That(async () => await StoreKeyProvider.FromFile(shortKey).GetKeyAsync(), Throws.TypeOf<StoreKeyException>().With.Message.Contains("64 hexadecimal").And.Message.Not.Contain("abc123"));
            Assert.That(async () => await StoreKeyProvider.FromFile(badChars).GetKeyAsync(), Throws.TypeOf<StoreKeyException>().With.Message.Contains("other characters"));
            Assert.That(async () => await StoreKeyProvider.FromEnvironment("ARUNTIME_TEST_UNSET_" + Guid.NewGuid().ToString("N")).GetKeyAsync(), Throws.TypeOf<StoreKeyException>().With.Message.Contains("not set"));
        });
    }

    [Test]
    public async Task Environment_and_secret_resolver_providers_read_64_hex_characters()
    {
        using var key = StoreKey.Generate();
        var variable = "ARUNTIME_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key.ToHexString());
        try
        {
            using var fromEnvironment = await StoreKeyProvider.FromEnvironment(variable).GetKeyAsync();
            using var fromSecret = await StoreKeyProvider.FromSecret(new DictionaryResolver(new() { ["db-key"] = key.ToHexString() }), "db-key").GetKeyAsync();
            Assert.Multiple(() =>
            {
                Assert.That(fromEnvironment.ToHexString(), Is.EqualTo(key.ToHexString()));
                Assert.That(fromSecret.ToHexString(), Is.EqualTo(key.ToHexString()));
                Assert.That(async () => await StoreKeyProvider.FromSecret(new DictionaryResolver([]), "missing").GetKeyAsync(), Throws.TypeOf<StoreKeyException>().With.Message.Contains("missing"));
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public async Task A_store_opens_with_a_key_file_it_created()
    {
        var keyFile = Path.Combine(directory, "keys", "evidence.key");
        var options = new SqlCipherStoreOptions
        {
            DatabasePath = Path.Combine(directory, "store.db"),
            KeyProvider = StoreKeyProvider.FromFile(keyFile, createIfMissing: true),
            PurgeInterval = TimeSpan.Zero,
        };
        await (await SqlCipherStore.OpenAsync(options)).DisposeAsync();
        await using var reopened = await SqlCipherStore.OpenAsync(options);

        Assert.That(reopened.Library.Encrypted, Is.True);
    }

    private sealed class DictionaryResolver(Dictionary<string, string> secrets) : ISecretResolver
    {
        public ValueTask<SecretValue> ResolveAsync(SecretRequest request, CancellationToken cancellationToken = default) =>
            secrets.TryGetValue(request.Reference, out var value)
                ? ValueTask.FromResult(new SecretValue(request.Reference, value))
                : throw new SecretNotFoundException($"No secret {request.Reference}.");
    }
}
