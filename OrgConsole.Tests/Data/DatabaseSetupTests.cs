using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Infrastructure;
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

public sealed class InviteRoleBindingsMigrationTests
{
    /// <summary>
    /// The invite's role bindings migration keeps data both ways: down puts the organization role and project roles back
    /// into the old column and table, up turns them into bindings again (with fresh ids, the same roles).
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task InviteRoles_SurviveDownAndUpAgain()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId, "Search");
        var invitations = db.Service<OrgConsole.Features.Invitations.InvitationService>(owner);
        var invite = (await invitations.InviteAsync(orgId, new OrgConsole.Features.Invitations.InviteRequest(["m@test.example"], OrgConsole.Access.Role.OrgBillingAdmin,
            [new(projectId, OrgConsole.Access.Role.ProjectOwner)]))).Value.Invited[0];

        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var migrator = ctx.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            await migrator.MigrateAsync("20261130170033_MembersListingRow"); // the migration just before InviteRoleBindings
            var connection = ctx.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT i.\"Role\" || '/' || p.\"Role\" FROM \"Invitations\" i JOIN \"InvitationProjectRoles\" p ON p.\"InvitationId\" = i.\"Id\"";
            Assert.Equal("OrgBillingAdmin/ProjectOwner", (string?)await command.ExecuteScalarAsync());
            await migrator.MigrateAsync();
        }

        var row = (await invitations.GetAsync(orgId, invite.Id)).Value;
        Assert.Equal([OrgConsole.Access.Role.OrgBillingAdmin], row.OrgRoles);
        Assert.Equal(["Search (Project owner)"], row.ProjectNames);
        var bindings = (await invitations.ListBindingsAsync(orgId, invite.Id)).Value;
        Assert.Equal(2, bindings.Select(b => b.Id).Distinct().Count());
        // The backfilled ids are found by id (the same text form EF Core writes).
        Assert.True((await invitations.RemoveRoleAsync(orgId, bindings.Single(b => b.ProjectId is not null).Id)).IsSuccess);
        Assert.Empty((await invitations.GetAsync(orgId, invite.Id)).Value.ProjectNames);
    }
}
