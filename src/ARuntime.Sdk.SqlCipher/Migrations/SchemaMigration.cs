namespace ARuntime.Sdk.SqlCipher.Migrations;

/// <summary>One step of the store's schema: the version it produces and the SQL (SQLite 3.15.2 dialect) that gets there.</summary>
/// <param name="Version">The schema version after the step (PRAGMA user_version).</param>
/// <param name="Description">What the step adds.</param>
/// <param name="Sql">The statements.</param>
internal sealed record SchemaMigration(int Version, string Description, string Sql);
