using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Data;

public sealed class DatabaseSetupTests
{
    [Fact]
    public void ARelativeSqlitePath_IsResolvedUnderTheContentRoot_AndItsFolderCreated()
    {
        var root = Path.Combine(Path.GetTempPath(), $"orgconsole-root-{Guid.NewGuid():N}");
        try
        {
            var connectionString = DatabaseSetup.SqliteConnectionString("Data Source=App_Data/sub/console.db", root);

            var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
            Assert.Equal(Path.Combine(root, "App_Data", "sub", "console.db"), dataSource);
            Assert.True(Directory.Exists(Path.Combine(root, "App_Data", "sub")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task TheMigratedDatabase_RunsInWalMode_WithNoPendingMigrations()
    {
        await using var db = await TestDb.CreateAsync();
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var connection = ctx.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        Assert.Empty(await ctx.Database.GetPendingMigrationsAsync());
    }
}

public sealed class KeyRingTests
{
    [Fact(Timeout = 60_000)]
    public async Task TheKeyRing_IsKeptOnDisk_SoARestartKeepsSignInsAndSecretsReadable()
    {
        var keys = Path.Combine(Path.GetTempPath(), $"orgconsole-keys-{Guid.NewGuid():N}");
        try
        {
            await using (var app = TestSupport.AppFactory.InMemory(new Dictionary<string, string> { ["DataProtection:KeysPath"] = keys }))
            {
                var response = await app.CreateClient().GetAsync("/Account/Login"); // antiforgery needs a key
                response.EnsureSuccessStatusCode();
            }

            Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));
        }
        finally
        {
            if (Directory.Exists(keys)) Directory.Delete(keys, recursive: true);
        }
    }
}
