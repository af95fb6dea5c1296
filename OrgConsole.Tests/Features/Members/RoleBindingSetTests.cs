using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

/// <summary>SPEC §1.3a: a member holds a set of organization role bindings; what they may do is the union.</summary>
public sealed class RoleBindingSetTests
{
    [Fact(Timeout = 30_000)]
    public async Task AddRole_GivesAUserBillingAdminToo_AndTheyMayDoTheUnionOfBoth()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);

        Assert.True((await db.Service<MemberService>(owner).AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);

        var access = await db.Service<Authorizer>(user).GetAccessAsync(orgId);
        Assert.NotNull(access);
        Assert.True(access.Can(Permission.CreateProjects)); // from User
        Assert.True(access.Can(Permission.UpdateBillingDetails)); // from Billing admin
        Assert.False(access.Can(Permission.InviteMembers));
        Assert.Equal([Role.OrgMember, Role.OrgBillingAdmin], access.Roles);
        Assert.True((await db.Service<Authorizer>(user).DemandAsync(orgId, Permission.ViewUsageDetails)).IsSuccess);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "member.role_added" && e.TargetId == user);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRole_ThatIsHeldAlready_IsAConflict_AndAddsNothing()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);

        var again = await db.Service<MemberService>(owner).AddRoleAsync(orgId, user, Role.OrgMember);

        Assert.Equal(ErrorKind.Conflict, again.Error?.Kind);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(1, await ctx.RoleAssignments.CountAsync(r => r.OrganizationId == orgId && r.PrincipalId == user));
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRole_IsOwnerOnly_AndAnotherOrganizationsMemberIsNotFound()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Globex", "boss@globex.example");

        Assert.Equal(ErrorKind.Forbidden, (await db.Service<MemberService>(user).AddRoleAsync(orgId, user, Role.OrgOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<MemberService>(otherOwner).AddRoleAsync(otherOrg, user, Role.OrgBillingAdmin)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<MemberService>(otherOwner).AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task ChangeRole_ReplacesTheWholeSet_InOneStep()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);
        var members = db.Service<MemberService>(owner);
        Assert.True((await members.AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);

        Assert.True((await members.ChangeRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);

        var member = await members.GetAsync(orgId, user);
        Assert.Equal([Role.OrgBillingAdmin], member.Value.Roles);
        Assert.False((await db.Service<Authorizer>(user).GetAccessAsync(orgId))!.Can(Permission.CreateProjects));
    }

    [Fact(Timeout = 30_000)]
    public async Task AnOwnerWhoAlsoHoldsUser_IsStillTheLastOwner_ForEveryPathThatTakesOwnerAway()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var members = db.Service<MemberService>(owner);
        Assert.True((await members.AddRoleAsync(orgId, owner, Role.OrgMember)).IsSuccess);

        Assert.Equal(ErrorKind.Conflict, (await members.RemoveRoleAsync(orgId, owner, Role.OrgOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.Conflict, (await members.ChangeRoleAsync(orgId, owner, Role.OrgMember)).Error?.Kind);
        Assert.Equal(ErrorKind.Conflict, (await members.LeaveAsync(orgId)).Error?.Kind);
        Assert.True((await members.RemoveRoleAsync(orgId, owner, Role.OrgMember)).IsSuccess); // the other binding may go
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
    }

    [Fact(Timeout = 30_000)]
    public async Task RemoveRole_TheLastOrganizationRole_IsRefusedWhileProjectRolesRemain_ElseRemovesTheMember()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var project = await db.AddProjectAsync(orgId);
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, user, Role.ProjectMember, project);
        var members = db.Service<MemberService>(owner);

        Assert.Equal(ErrorKind.Conflict, (await members.RemoveRoleAsync(orgId, user, Role.OrgMember)).Error?.Kind);
        Assert.True((await members.AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);
        Assert.True((await members.RemoveRoleAsync(orgId, user, Role.OrgMember)).IsSuccess); // another remains

        var billing = db.Service<MemberService>(owner);
        var bystander = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin);
        Assert.True((await billing.RemoveRoleAsync(orgId, bystander, Role.OrgBillingAdmin)).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await billing.GetAsync(orgId, bystander)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheMembersList_ShowsEachPersonOnce_WithAllTheirRoles_AndCountsPeopleNotBindings()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember, "dana@acme.example");
        var members = db.Service<MemberService>(owner);
        Assert.True((await members.AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);

        var page = (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25 })).Value;
        Assert.Equal(2, page.TotalCount);
        var dana = Assert.Single(page.Items, m => m.UserId == user);
        Assert.Equal([Role.OrgMember, Role.OrgBillingAdmin], dana.Roles);
        Assert.Equal(2, page.Items.Count);

        var searched = (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25, Search = "dana" })).Value;
        Assert.Equal(1, searched.TotalCount);
        var byRole = (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25, Search = "Billing" })).Value;
        Assert.Equal(user, Assert.Single(byRole.Items).UserId);
        var api = (await members.ListPageAsync(orgId, null, null, 10)).Value;
        Assert.Equal(2, api.Items.Count);
        Assert.Contains("User + Billing admin", (await members.ExportCsvAsync(orgId, new MemberQuery())).Value);

        Assert.True((await members.RemoveRoleAsync(orgId, user, Role.OrgMember)).IsSuccess);
        Assert.Equal(2, (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25 })).Value.TotalCount);
        Assert.True((await members.RemoveAsync(orgId, user)).IsSuccess);
        Assert.Equal(1, (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25 })).Value.TotalCount);
    }

    /// <summary>Each person's listed organization rows (the member list reads only these): exactly one, the most privileged.</summary>
    private static async Task<Dictionary<string, Role>> ListingRowsAsync(TestDb db, Guid orgId)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var rows = await ctx.RoleAssignments.AsNoTracking().Where(r => r.OrganizationId == orgId && r.IsListed).Select(r => new { r.PrincipalId, r.Role, r.ProjectId }).ToListAsync();
        Assert.All(rows, r => Assert.Null(r.ProjectId));
        Assert.Equal(rows.Count, rows.Select(r => r.PrincipalId).Distinct().Count());
        return rows.ToDictionary(r => r.PrincipalId, r => r.Role);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheListingRow_FollowsTheMostPrivilegedRole_WhicheverPathAddsOrRemovesRoles()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember, "dana@acme.example");
        var members = db.Service<MemberService>(owner);
        async Task<MemberListItem> Dana()
        {
            var page = (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25, Sort = MemberSort.Role })).Value;
            Assert.Equal(page.TotalCount, page.Items.Count);
            return Assert.Single(page.Items, m => m.UserId == user);
        }

        Assert.True((await members.AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);
        Assert.Equal(Role.OrgMember, (await ListingRowsAsync(db, orgId))[user]);
        // Taking away the role whose row is listed moves the mark to the one left: the person stays listed, once.
        Assert.True((await members.RemoveRoleAsync(orgId, user, Role.OrgMember)).IsSuccess);
        Assert.Equal(Role.OrgBillingAdmin, (await ListingRowsAsync(db, orgId))[user]);
        Assert.Equal([Role.OrgBillingAdmin], (await Dana()).Roles);
        Assert.True((await members.AddRoleAsync(orgId, user, Role.OrgOwner)).IsSuccess);
        var dana = await Dana();
        Assert.Equal(Role.OrgOwner, dana.Role);
        Assert.Equal([Role.OrgOwner, Role.OrgBillingAdmin], dana.Roles);
        Assert.True((await members.ChangeRoleAsync(orgId, user, Role.OrgMember)).IsSuccess);
        Assert.Equal(Role.OrgMember, (await Dana()).Role);

        // A role changed in place or written by any other path (SQL, the Admin API) is relisted by the triggers too.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.RoleAssignments.Where(r => r.OrganizationId == orgId && r.PrincipalId == user && r.ProjectId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Role, Role.OrgBillingAdmin));
            await ctx.Database.ExecuteSqlRawAsync("""
                INSERT INTO RoleAssignments (Id, OrganizationId, ProjectId, PrincipalType, PrincipalId, Role, CreatedAt, PrincipalName, PrincipalEmail)
                VALUES ({0}, {1}, NULL, 'User', {2}, 'OrgOwner', '2026-01-01 00:00:00', 'Dana', 'dana@acme.example')
                """, Guid.NewGuid().ToString().ToUpperInvariant(), orgId.ToString().ToUpperInvariant(), user);
        }
        var listed = await ListingRowsAsync(db, orgId);
        Assert.Equal(Role.OrgOwner, listed[user]);
        Assert.Equal(Role.OrgOwner, listed[owner]);
        Assert.Equal([Role.OrgOwner, Role.OrgBillingAdmin], (await Dana()).Roles);
        Assert.True((await members.RemoveAsync(orgId, user)).IsSuccess);
        Assert.False((await ListingRowsAsync(db, orgId)).ContainsKey(user));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheMigrationBackfill_MarksOneRowPerPerson_TheirMostPrivileged()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var user = await db.AddMemberAsync(orgId, Role.OrgMember, "dana@acme.example");
        var billing = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin, "bill@acme.example");
        var members = db.Service<MemberService>(owner);
        Assert.True((await members.AddRoleAsync(orgId, user, Role.OrgBillingAdmin)).IsSuccess);
        Assert.True((await members.AddRoleAsync(orgId, owner, Role.OrgMember)).IsSuccess);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            // Rows as they were before the column existed: none marked (and one marked wrongly).
            await ctx.Database.ExecuteSqlRawAsync("UPDATE RoleAssignments SET IsListed = (Role = 'OrgBillingAdmin')");
            await ctx.Database.ExecuteSqlRawAsync(MemberListing.Backfill);
        }
        var listed = await ListingRowsAsync(db, orgId);
        Assert.Equal(new Dictionary<string, Role> { [owner] = Role.OrgOwner, [user] = Role.OrgMember, [billing] = Role.OrgBillingAdmin }, listed);
        Assert.Equal(3, (await members.SearchAsync(orgId, new MemberQuery { PageSize = 25 })).Value.Items.Count);
    }
}
