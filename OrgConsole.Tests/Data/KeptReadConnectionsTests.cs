using Microsoft.Data.Sqlite;
using OrgConsole.Data;

namespace OrgConsole.Tests.Data;

/// <summary>
/// Rules of the kept-open read connections (issue 17, <see cref="KeptReadConnections"/>): every read sees what other
/// connections committed before it, an idle connection holds no snapshot, a connection serves one caller at a time, at
/// most the bound are open, a deleted or replaced database file is never read from the old file, and disposing closes
/// every connection (no file handle left open).
/// </summary>
public sealed class KeptReadConnectionsTests : IDisposable
{
    private static readonly KeptQuery Value = new("""SELECT "V" FROM "Counter" WHERE "Id" = @id""", "@id");

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"orgconsole-kept-{Guid.NewGuid():N}.db");

    public KeptReadConnectionsTests() => CreateDatabase(_path, value: 1, wal: true);

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();

    private static void CreateDatabase(string path, long value, bool wal)
    {
        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        Execute(connection, $"""PRAGMA journal_mode={(wal ? "WAL" : "DELETE")}; CREATE TABLE "Counter" ("Id" INTEGER PRIMARY KEY, "V" INTEGER NOT NULL); INSERT INTO "Counter" VALUES (1, {value});""");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static ValueTask<long> ReadAsync(KeptReadConnections kept) =>
        kept.ReadAsync(Value, 1L, static (p, id) => p[0].Value = id, static reader => reader.Read() ? reader.GetInt64(0) : -1);

    private void Write(long value)
    {
        using var writer = new SqliteConnection(ConnectionString(_path));
        writer.Open();
        Execute(writer, $"""UPDATE "Counter" SET "V" = {value} WHERE "Id" = 1""");
    }

    /// <summary>The file descriptors of this process open on a path (Linux).</summary>
    private static int OpenHandles(string path) => Directory.GetFiles("/proc/self/fd").Count(fd =>
    {
        try { return new FileInfo(fd).LinkTarget is { } target && (target == path || target == path + " (deleted)"); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    [Fact(Timeout = 30_000)]
    public async Task AKeptConnection_SeesAWriteCommittedOnAnotherConnection_AtItsVeryNextRead()
    {
        using var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 1);
        Assert.Equal(1, await ReadAsync(kept));
        Assert.Equal(1, await ReadAsync(kept)); // the prepared statement, re-run

        Write(2);

        Assert.Equal(2, await ReadAsync(kept));
        Assert.Equal(1, kept.OpenConnections); // the same kept connection all along
        Assert.Equal(3, kept.Runs);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnIdleKeptConnection_HoldsNoReadSnapshot_ACheckpointCanEmptyTheLog()
    {
        using var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 2);
        await ReadAsync(kept);
        Write(5);
        await ReadAsync(kept);

        using var other = new SqliteConnection(ConnectionString(_path));
        other.Open();
        using var checkpoint = other.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        using var result = checkpoint.ExecuteReader();
        Assert.True(result.Read());
        Assert.Equal(0, result.GetInt32(0)); // not busy: no reader pins an old snapshot
        Assert.Equal(1, kept.OpenConnections);
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyParallelReaders_ShareAtMostTheBound_OneCallerPerConnection_AndEachReadIsFresh()
    {
        using var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 3);
        var writing = Task.Run(() =>
        {
            for (var v = 2; v <= 200; v++) Write(v);
        });
        var readers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            long seen = 0;
            for (var i = 0; i < 100; i++)
            {
                var value = await ReadAsync(kept);
                Assert.True(value >= seen, $"read {value} after {seen}: an older snapshot"); // never goes back in time
                seen = value;
            }
        })).ToList();
        await Task.WhenAll(readers.Append(writing));

        Assert.Equal(200, await ReadAsync(kept)); // the last write, at once
        Assert.InRange(kept.PeakInUse, 1, 3);
        Assert.InRange(kept.OpenConnections, 1, 3);
        Assert.Equal(32 * 100 + 1, kept.Runs);
    }

    [Fact(Timeout = 30_000)]
    public async Task Disposing_ClosesEveryKeptConnection_AndLeavesNoFileHandleOpen()
    {
        var before = OpenHandles(_path);
        var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 4);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await ReadAsync(kept))));
        Assert.InRange(kept.OpenConnections, 1, 4);
        Assert.Equal(before + kept.OpenConnections, OpenHandles(_path));

        kept.Dispose();

        Assert.Equal(0, kept.OpenConnections);
        Assert.Equal(before, OpenHandles(_path));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await ReadAsync(kept));
    }

    [Fact(Timeout = 30_000)]
    public async Task ADatabaseFileReplacedUnderAKeptConnection_IsReadFromTheNewFile_NotTheOldOne()
    {
        using var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 1);
        Assert.Equal(1, await ReadAsync(kept));

        var replacement = _path + ".new";
        CreateDatabase(replacement, value: 42, wal: false);
        File.Move(replacement, _path, overwrite: true);

        Assert.Equal(42, await ReadAsync(kept));
        Assert.Equal(1, kept.OpenConnections);
    }

    [Fact(Timeout = 30_000)]
    public async Task ADeletedDatabaseFile_FailsTheRead_NeverAnswersFromTheOldFile_NorCreatesAnEmptyOne()
    {
        using var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 1);
        Assert.Equal(1, await ReadAsync(kept));

        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);

        await Assert.ThrowsAsync<SqliteException>(async () => await ReadAsync(kept));
        Assert.False(File.Exists(_path));
        Assert.Equal(0, kept.OpenConnections);
        Assert.Equal(0, OpenHandles(_path));
    }

    [Fact(Timeout = 30_000)]
    public async Task AKeptConnection_CannotWrite()
    {
        using var kept = new KeptReadConnections(ConnectionString(_path), maxConnections: 1);
        var write = new KeptQuery("""UPDATE "Counter" SET "V" = 99""");
        var error = await Assert.ThrowsAsync<SqliteException>(async () =>
            await kept.ReadAsync(write, 0, static (_, _) => { }, static reader => reader.RecordsAffected));
        Assert.Equal(8, error.SqliteErrorCode); // SQLITE_READONLY (PRAGMA query_only)
        Assert.Equal(1, await ReadAsync(kept));
    }

    [Fact]
    public void OnPostgreSqlOrAnInMemoryDatabase_ItIsDisabled()
    {
        using var disabled = KeptReadConnections.Disabled();
        using var memory = new KeptReadConnections("Data Source=:memory:", 2);
        using var shared = new KeptReadConnections("Data Source=x;Mode=Memory;Cache=Shared", 2);
        Assert.False(disabled.Enabled);
        Assert.False(memory.Enabled);
        Assert.False(shared.Enabled);
        using var file = new KeptReadConnections(ConnectionString(_path), 1);
        Assert.True(file.Enabled);
    }

    /// <summary>Enums are read by name from a table, as EF Core stores them; a name that is not one fails as EF Core's conversion does.</summary>
    [Fact]
    public void AnEnumStoredByName_IsReadByItsExactName()
    {
        foreach (var role in Enum.GetValues<OrgConsole.Access.Role>()) Assert.Equal(role, KeptSql.EnumByName<OrgConsole.Access.Role>(role.ToString()));
        Assert.Equal(OrgConsole.Access.Plan.Enterprise, KeptSql.EnumByName<OrgConsole.Access.Plan>("Enterprise"));
        Assert.Throws<ArgumentException>(() => KeptSql.EnumByName<OrgConsole.Access.Role>("Superuser"));
        Assert.Throws<ArgumentException>(() => KeptSql.EnumByName<OrgConsole.Access.Role>("orgowner"));
    }
}
