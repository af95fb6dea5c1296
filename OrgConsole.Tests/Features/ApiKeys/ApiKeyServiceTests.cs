using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.ApiKeys;

public sealed class ApiKeyServiceTests
{
    private static async Task<(TestDb Db, Guid OrgId, string Owner, Guid ProjectId)> StandardProjectAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Standard);
        var projectId = await db.AddProjectAsync(orgId, "Alpha");
        return (db, orgId, owner, projectId);
    }

    [Fact(Timeout = 60_000)]
    public async Task Create_WhileADowngradeLands_ChecksTheRolesAgainstThePlanInsideTheWriteTransaction()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        await using var otherWriter = await WriteLockHolder.TakeAsync(db);

        // Standard allows a viewer key; the create reads access, then waits for the write lock while Starter lands.
        var creating = Task.Run(() => db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "racer", [Role.ProjectViewer]));
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await otherWriter.SetPlanAsync(Plan.Starter);
        await otherWriter.CommitAsync();
        var created = await creating;

        Assert.False(created.IsSuccess);
        Assert.Contains("Starter plan allows only", created.Error.Message);
        Assert.Empty((await db.Service<ApiKeyService>(owner).ListAsync(orgId, projectId)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task Create_ReturnsAKeyOnce_InThePckeyForm_WithAtLeast128BitsOfSecret()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;

        var created = await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "  deploy bot  ", [Role.ProjectViewer, Role.DataPlaneEditor]);

        Assert.True(created.IsSuccess);
        var match = Regex.Match(created.Value.Value, "^pckey_([a-z2-7]{8})_([a-z2-7]+)$");
        Assert.True(match.Success, created.Value.Value);
        Assert.True(match.Groups[2].Value.Length * 5 >= 128);
        var rows = (await db.Service<ApiKeyService>(owner).ListAsync(orgId, projectId)).Value;
        var row = Assert.Single(rows);
        Assert.Equal("deploy bot", row.Name);
        Assert.Equal(created.Value.Id, row.Id);
        Assert.Equal([Role.ProjectViewer, Role.DataPlaneEditor], row.Roles.OrderBy(r => r == Role.DataPlaneEditor));
        Assert.Null(row.LastUsedAt);
        Assert.NotEqual(created.Value.Value, (await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "second", null)).Value.Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheDatabase_HoldsNoKeyInClearText()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var keys = new List<string>();
        for (var i = 0; i < 3; i++) keys.Add((await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, $"key {i}", null)).Value.Value);

        var everyText = await AllTextInDatabaseAsync(db);

        Assert.NotEmpty(everyText);
        foreach (var key in keys)
        {
            var secret = key.Split('_')[2];
            Assert.DoesNotContain(everyText, text => text.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(everyText, text => text.Contains(key, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Verify_AcceptsTheKey_RecordsLastUsed_AndRefusesItRightAfterDeletion()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var keys = db.Service<ApiKeyService>(owner);
        var created = (await keys.CreateAsync(orgId, projectId, "ci", null)).Value;
        db.Time.Advance(TimeSpan.FromMinutes(5));

        var identity = await db.Service<ApiKeyService>(null).VerifyAsync(created.Value);

        Assert.NotNull(identity);
        Assert.Equal(projectId, identity.ProjectId);
        Assert.Equal(orgId, identity.OrganizationId);
        Assert.Equal([Role.ProjectEditor], identity.Roles);
        Assert.Equal(db.Time.GetUtcNow().UtcDateTime, Assert.Single((await keys.ListAsync(orgId, projectId)).Value).LastUsedAt);

        Assert.Equal(ErrorKind.Validation, (await keys.DeleteAsync(orgId, projectId, created.Id, "CI")).Error?.Kind);
        Assert.NotNull(await db.Service<ApiKeyService>(null).VerifyAsync(created.Value));
        Assert.True((await keys.DeleteAsync(orgId, projectId, created.Id, "ci")).IsSuccess);
        Assert.Null(await db.Service<ApiKeyService>(null).VerifyAsync(created.Value));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pckey_")]
    [InlineData("pcsk_abcdefgh_abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz")]
    [InlineData("pckey_abcdefgh_abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz")]
    public async Task Verify_RefusesMalformedAndUnknownKeys(string? presented)
    {
        await using var db = await TestDb.CreateAsync();
        Assert.Null(await db.Service<ApiKeyService>(null).VerifyAsync(presented));
    }

    [Fact(Timeout = 30_000)]
    public async Task Verify_RefusesAKeyWithTheRightLabelButAWrongSecret()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var created = (await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "ci", null)).Value;
        var parts = created.Value.Split('_');
        var forged = $"{parts[0]}_{parts[1]}_{new string('a', parts[2].Length)}";

        Assert.Null(await db.Service<ApiKeyService>(null).VerifyAsync(forged));
    }

    [Fact(Timeout = 30_000)]
    public async Task StarterPlan_AllowsOnlyProjectEditor()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId);
        var keys = db.Service<ApiKeyService>(owner);

        var refused = await keys.CreateAsync(orgId, projectId, "viewer", [Role.ProjectViewer]);
        var allowed = await keys.CreateAsync(orgId, projectId, "editor", [Role.ProjectEditor]);

        Assert.Equal(ErrorKind.Validation, refused.Error?.Kind);
        Assert.Contains("Starter plan allows only Project editor (ProjectEditor)", refused.Error?.Message);
        Assert.True(allowed.IsSuccess);
        Assert.Equal([Role.ProjectEditor], (await keys.AllowedRolesAsync(orgId)).Value);
        Assert.Equal(ErrorKind.Validation, (await keys.UpdateAsync(orgId, projectId, allowed.Value.Id, "editor", [Role.ControlPlaneViewer])).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task InvalidNamesAndRoles_AreValidationErrors_AndStoreNothing()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var keys = db.Service<ApiKeyService>(owner);

        Assert.Equal(ErrorKind.Validation, (await keys.CreateAsync(orgId, projectId, " ", null)).Error?.Kind);
        Assert.Equal(ErrorKind.Validation, (await keys.CreateAsync(orgId, projectId, new string('k', 81), null)).Error?.Kind);
        Assert.True((await keys.CreateAsync(orgId, projectId, new string('k', 80), null)).IsSuccess);
        Assert.Equal(ErrorKind.Validation, (await keys.CreateAsync(orgId, projectId, "org role", [Role.OrgOwner])).Error?.Kind);
        Assert.Equal(ErrorKind.Validation, (await keys.CreateAsync(orgId, projectId, "project role", [Role.ProjectOwner])).Error?.Kind);
        Assert.Single((await keys.ListAsync(orgId, projectId)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task Update_RenamesAndChangesRoles_AndIsAudited()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var keys = db.Service<ApiKeyService>(owner);
        var created = (await keys.CreateAsync(orgId, projectId, "ci", [Role.ProjectEditor])).Value;

        Assert.True((await keys.UpdateAsync(orgId, projectId, created.Id, "ci-readonly", [Role.ProjectViewer, Role.DataPlaneViewer])).IsSuccess);
        Assert.Equal(ErrorKind.Validation, (await keys.UpdateAsync(orgId, projectId, created.Id, "ci", [])).Error?.Kind);

        var row = Assert.Single((await keys.ListAsync(orgId, projectId)).Value);
        Assert.Equal("ci-readonly", row.Name);
        Assert.Equal([Role.ProjectViewer, Role.DataPlaneViewer], row.Roles);
        var evt = Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "api_key.updated");
        Assert.Contains("ProjectEditor", evt.Before);
        Assert.Contains("ProjectViewer", evt.After);
        Assert.Equal([Role.ProjectViewer, Role.DataPlaneViewer], (await db.Service<ApiKeyService>(null).VerifyAsync(created.Value))!.Roles);
    }

    [Fact(Timeout = 30_000)]
    public async Task AuditEvents_NeverContainTheKey()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var created = (await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "ci", null)).Value;
        await db.Service<ApiKeyService>(owner).DeleteAsync(orgId, projectId, created.Id, "ci");

        var events = await db.AuditEventsAsync(orgId);

        Assert.Contains(events, e => e.Action == "api_key.created" && e.TargetId == created.Id.ToString());
        Assert.Contains(events, e => e.Action == "api_key.deleted");
        Assert.All(events, e => Assert.DoesNotContain(created.Value.Split('_')[2], $"{e.Before}{e.After}{e.Reason}"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.ProjectOwner, true)]
    [InlineData(Role.ProjectMember, false)]
    public async Task OnlyProjectOwners_CreateUpdateAndDelete_ProjectUsersOnlyList(Role projectRole, bool allowed)
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var existing = (await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "existing", null)).Value;
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, user, projectRole, projectId);
        var keys = db.Service<ApiKeyService>(user);

        Assert.True((await keys.ListAsync(orgId, projectId)).IsSuccess);
        var results = new Result[]
        {
            await keys.CreateAsync(orgId, projectId, "mine", null),
            await keys.UpdateAsync(orgId, projectId, existing.Id, "renamed", [Role.ProjectEditor]),
            await keys.DeleteAsync(orgId, projectId, existing.Id, allowed ? "renamed" : "existing"),
        };

        Assert.All(results, r => Assert.Equal(allowed, r.IsSuccess));
        if (!allowed) Assert.All(results, r => Assert.Equal(ErrorKind.Forbidden, r.Error?.Kind));
    }

    [Fact(Timeout = 30_000)]
    public async Task ForeignProjectAndKeyIds_AreNotFound()
    {
        var (db, orgId, owner, projectId) = await StandardProjectAsync();
        await using var _ = db;
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other");
        var otherProject = await db.AddProjectAsync(otherOrg, "Theirs");
        var theirKey = (await db.Service<ApiKeyService>(otherOwner).CreateAsync(otherOrg, otherProject, "theirs", null)).Value;
        var keys = db.Service<ApiKeyService>(owner);

        Assert.Equal(ErrorKind.NotFound, (await keys.ListAsync(otherOrg, otherProject)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await keys.ListAsync(orgId, otherProject)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await keys.CreateAsync(orgId, otherProject, "sneaky", null)).Error?.Kind);
        // My project, their key id.
        Assert.Equal(ErrorKind.NotFound, (await keys.UpdateAsync(orgId, projectId, theirKey.Id, "mine", [Role.ProjectEditor])).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await keys.DeleteAsync(orgId, projectId, theirKey.Id, "theirs")).Error?.Kind);
        Assert.NotNull(await db.Service<ApiKeyService>(null).VerifyAsync(theirKey.Value));
    }

    /// <summary>Every text value in every table of the database, read with plain SQL.</summary>
    private static async Task<List<string>> AllTextInDatabaseAsync(TestDb db)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var connection = (SqliteConnection)ctx.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var texts = new List<string>();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                for (var i = 0; i < reader.FieldCount; i++)
                    if (!reader.IsDBNull(i)) texts.Add(reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) + System.Text.Encoding.UTF8.GetString(bytes) : reader.GetValue(i).ToString()!);
        }
        return texts;
    }
}
