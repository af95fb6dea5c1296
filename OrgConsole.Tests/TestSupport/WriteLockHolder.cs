using Microsoft.Data.Sqlite;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// Another writer on the test database: takes SQLite's write lock (BEGIN IMMEDIATE), so a service's write transaction
/// waits for it; the test changes rows meanwhile and commits, which is how a concurrent request's change lands
/// between a service's early reads and its write.
/// </summary>
public sealed class WriteLockHolder : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private bool _open = true;

    private WriteLockHolder(SqliteConnection connection) => _connection = connection;

    public static async Task<WriteLockHolder> TakeAsync(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        var holder = new WriteLockHolder(connection);
        await holder.ExecuteAsync("BEGIN IMMEDIATE;");
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
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Sets every organization's plan in this transaction, in whatever form the column stores it.</summary>
    public async Task SetPlanAsync(OrgConsole.Features.Organizations.Plan plan)
    {
        var stored = await ScalarAsync("SELECT Plan FROM Organizations LIMIT 1");
        object value = stored is string ? plan.ToString() : (long)plan;
        await ExecuteAsync("UPDATE Organizations SET Plan = $plan;", ("$plan", value));
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
