using Npgsql;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Postgres;

/// <summary>
/// The test suite's own PostgreSQL databases are emptied and handed out again. An app factory gives its database back
/// twice when disposed asynchronously (the base class's Dispose runs too); by the second time the database may be
/// another test's, which must keep its rows.
/// </summary>
public sealed class TestDatabaseHandoutTests : IPostgresVariant
{
    [Fact(Timeout = 120_000)]
    public async Task ALateSecondRelease_OfAnEarlierHandout_LeavesTheNextHolderItsRows()
    {
        var first = await TestProvider.CreatePostgresDatabaseAsync();
        await TestProvider.ReleasePostgresDatabaseAsync(first);
        // Take hand-outs until one is the same database again (other tests may have given theirs back meanwhile).
        var others = new List<string>();
        string second;
        while (Database(second = await TestProvider.CreatePostgresDatabaseAsync()) != Database(first)) others.Add(second);
        foreach (var other in others) await TestProvider.ReleasePostgresDatabaseAsync(other);
        try
        {
            await ExecuteAsync(second, "CREATE TABLE handout_probe (x int); INSERT INTO handout_probe VALUES (1);");

            await TestProvider.ReleasePostgresDatabaseAsync(first); // late, from the first holder

            Assert.Equal(1L, await ScalarAsync(second, "SELECT count(*) FROM handout_probe"));
        }
        finally
        {
            await ExecuteAsync(second, "DROP TABLE IF EXISTS handout_probe");
            await TestProvider.ReleasePostgresDatabaseAsync(second);
        }
    }

    private static string Database(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
