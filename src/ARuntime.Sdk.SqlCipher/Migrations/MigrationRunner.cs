using System.Globalization;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Migrations;

/// <summary>Brings a database to the current schema, one transaction per step, and refuses files that are not stores.</summary>
internal static class MigrationRunner
{
    /// <summary>Migrates the database.</summary>
    /// <param name="connection">An open, keyed connection.</param>
    /// <param name="targetVersion">The version to stop at (tests create databases of earlier versions).</param>
    /// <returns>The version before migrating (0 for a new database).</returns>
    public static int Migrate(SqliteConnection connection, int targetVersion = SchemaMigrations.CurrentVersion)
    {
        var applicationId = connection.ScalarInt64("PRAGMA application_id") ?? 0;
        var version = (int)(connection.ScalarInt64("PRAGMA user_version") ?? 0);
        var objects = connection.ScalarInt64("SELECT count(*) FROM sqlite_master") ?? 0;
        if (applicationId != SchemaMigrations.ApplicationId && (applicationId != 0 || objects > 0 || version != 0))
        {
            throw new StoreFormatException(
                $"The database is not an ARuntime store (application_id {applicationId}, {objects} schema objects); refusing to change it.");
        }

        if (version > SchemaMigrations.CurrentVersion)
        {
            throw new StoreFormatException(
                $"The database schema is version {version}, newer than this build supports ({SchemaMigrations.CurrentVersion}); upgrade ARuntime.Sdk.SqlCipher.");
        }

        var original = version;
        foreach (var migration in SchemaMigrations.All)
        {
            if (migration.Version <= version || migration.Version > targetVersion)
            {
                continue;
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            using (var command = connection.Command(migration.Sql, transaction))
            {
                command.ExecuteNonQuery();
            }

            using (var command = connection.Command(
                string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {SchemaMigrations.ApplicationId}; PRAGMA user_version = {migration.Version};"),
                transaction))
            {
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            version = migration.Version;
        }

        return original;
    }
}
