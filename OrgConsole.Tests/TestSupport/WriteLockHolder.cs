using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using OrgConsole.Data;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// Another writer on the test database: takes the write lock every guarded write takes (SQLite's BEGIN IMMEDIATE, or
/// PostgreSQL's advisory lock), so a service's write transaction waits for it; the test changes rows meanwhile and
/// commits, which is how a concurrent request's change lands between a service's early reads and its write.
/// </summary>
public sealed class WriteLockHolder : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private bool _open = true;

    private WriteLockHolder(DbConnection connection) => _connection = connection;

    public static Task<WriteLockHolder> TakeAsync(TestDb db) =>
        db.PostgresConnectionString is { } postgres ? TakeAsync(new NpgsqlConnection(postgres), $"BEGIN; SELECT pg_advisory_xact_lock({DatabaseSetup.WriteLockKey});")
            : TakeAsync(db.DatabasePath);

    public static Task<WriteLockHolder> TakeAsync(string databasePath) =>
        TakeAsync(new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString()), "BEGIN IMMEDIATE;");

    private static async Task<WriteLockHolder> TakeAsync(DbConnection connection, string begin)
    {
        await connection.OpenAsync();
        var holder = new WriteLockHolder(connection);
        await holder.ExecuteAsync(begin);
        return holder;
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Sets every organization's plan in this transaction, in whatever form the column stores it.</summary>
    public async Task SetPlanAsync(OrgConsole.Access.Plan plan)
    {
        var stored = await ScalarAsync("SELECT \"Plan\" FROM \"Organizations\" LIMIT 1");
        object value = stored switch { string => plan.ToString(), int => (int)plan, _ => (long)plan };
        await ExecuteAsync("UPDATE \"Organizations\" SET \"Plan\" = @plan;", ("@plan", value));
    }

    public async Task CommitAsync()
    {
        await ExecuteAsync("COMMIT;");
        _open = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_open) await ExecuteAsync("ROLLBACK;");
        await _connection.DisposeAsync();
    }
}
