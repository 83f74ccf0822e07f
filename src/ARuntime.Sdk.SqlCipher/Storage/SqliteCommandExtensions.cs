using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>Small helpers over Microsoft.Data.Sqlite commands.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static int Execute(this SqliteConnection connection, string sql)
    {
        using var command = connection.Command(sql);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(this SqliteConnection connection, string sql)
    {
        using var command = connection.Command(sql);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static string? ScalarText(this SqliteConnection connection, string sql) =>
        connection.Scalar(sql) is { } value ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public static long? ScalarInt64(this SqliteConnection connection, string sql) =>
        connection.Scalar(sql) is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>Reads a value's bytes whatever its storage class (a BLOB column holding TEXT after tampering reads as its bytes, not a cast error).</summary>
    public static byte[] GetBytes(this SqliteDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);
}
