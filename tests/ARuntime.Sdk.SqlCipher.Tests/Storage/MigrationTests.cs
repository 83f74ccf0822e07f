using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Memory;
using ARuntime.Sdk.SqlCipher.Storage;

namespace ARuntime.Sdk.SqlCipher.Tests.Storage;

public sealed class MigrationTests
{
    [Test]
    public async Task A_database_of_the_previous_schema_version_is_migrated_with_its_data_intact()
    {
        await using var test = await TestStore.OpenAsync(o => o.TargetSchemaVersion = 2);
        Assert.That(test.Store.SchemaVersion, Is.EqualTo(2));
        await test.WriteManyAsync("t", 30);
        var retained = await test.Store.Memory.RetainAsync(new MemoryWrite
        {
            Scope = MemoryScope.ForActor("t", "a"),
            Content = "The user prefers metric units.",
            Provenance = new MemoryProvenance { SourceType = "user.statement" },
        });
        await test.CloseAsync();

        await test.ReopenAsync(o => o.TargetSchemaVersion = 3);

        var report = await test.Store.Evidence.VerifyAsync("t");
        var memory = await test.Store.Memory.SearchAsync(new MemoryQuery { Scope = MemoryScope.ForActor("t", "a"), Text = "metric" }).ToListAsync();
        var claim = await test.Store.Idempotency.TryClaimAsync("t", "k1", "digest", "r1", test.Time.GetUtcNow().AddHours(1));
        Assert.Multiple(() =>
        {
            Assert.That(test.Store.SchemaVersion, Is.EqualTo(3));
            Assert.That(report.IsValid, Is.True, report.Message);
            Assert.That(report.TreeSize, Is.EqualTo(31), "30 records and the memory.retained record");
            Assert.That(memory.Select(m => m.Id), Is.EqualTo(new[] { retained.Id }));
            Assert.That(claim.Status, Is.EqualTo(IdempotencyClaimStatus.Claimed), "the new version's tables work");
        });
    }

    [Test]
    public async Task A_database_of_a_newer_schema_is_refused_with_a_typed_error()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        using (var raw = test.OpenRaw())
        {
            using var command = raw.CreateCommand();
            command.CommandText = "PRAGMA user_version = 42";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<StoreFormatException>(async () => await test.ReopenAsync());
        Assert.That(error!.Message, Does.Contain("version 42").And.Contain("upgrade"));
    }

    [Test]
    public async Task Reopening_a_current_database_changes_nothing_in_its_schema()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Evidence.WriteAsync(TestStore.Record("t", 1), EvidenceDurability.Durable);
        await test.CloseAsync();
        string Schema()
        {
            using var raw = test.OpenRaw();
            using var command = raw.CreateCommand();
            command.CommandText = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name)";
            return (string)command.ExecuteScalar()!;
        }

        var before = Schema();
        await test.ReopenAsync();
        await test.CloseAsync();

        Assert.That(Schema(), Is.EqualTo(before));
    }
}
