using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// A statement prepared once on the writer's connection and bound by position through SQLitePCLRaw. The evidence hot
/// path runs one per record: Microsoft.Data.Sqlite binds parameters by name on every execution (a lookup per parameter),
/// which profiling showed to cost more than the inserts themselves. Writer thread only; reset after every execution.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private const int SqliteRow = 100;
    private const int SqliteDone = 101;

    private readonly sqlite3 db;
    private readonly sqlite3_stmt statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(db, sql, out statement));
    }

    public void Bind(int position, long value) => Check(raw.sqlite3_bind_int64(statement, position, value));

    /// <summary>Binds UTF-8 text, or NULL when <paramref name="utf8"/> is null.</summary>
    public void BindText(int position, byte[]? utf8) =>
        Check(utf8 is null ? raw.sqlite3_bind_null(statement, position) : raw.sqlite3_bind_text(statement, position, utf8.AsSpan()));

    /// <summary>Binds a blob (SQLite copies it), or NULL when <paramref name="value"/> is null.</summary>
    public void BindBlob(int position, byte[]? value) =>
        Check(value is null ? raw.sqlite3_bind_null(statement, position) : raw.sqlite3_bind_blob(statement, position, value.AsSpan()));

    /// <summary>Binds a non-empty blob from a span (SQLite copies it).</summary>
    public void BindBlob(int position, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(statement, position, value));

    /// <summary>Runs a statement that returns no rows.</summary>
    /// <exception cref="SqliteException">SQLite reported an error (for example a constraint).</exception>
    public void Execute()
    {
        var rc = raw.sqlite3_step(statement);
        if (rc is SqliteDone or SqliteRow)
        {
            raw.sqlite3_reset(statement);
            return;
        }

        var error = Error(rc);
        raw.sqlite3_reset(statement);
        throw error;
    }

    public void Dispose() => statement.Dispose();

    private void Check(int rc)
    {
        if (rc != 0)
        {
            throw Error(rc);
        }
    }

    private SqliteException Error(int rc) =>
        new(
            $"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.",
            rc & 0xFF,
            raw.sqlite3_extended_errcode(db));
}
