using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Projects;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Projects;

public class ProjectServiceTests
{
    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgOwner, true)]
    [InlineData(Role.OrgMember, true)]
    [InlineData(Role.OrgBillingAdmin, false)]
    public async Task Create_OwnersAndUsersMay_AndTheCreatorOwnsTheProject(Role role, bool allowed)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Standard);
        var actor = await db.AddMemberAsync(orgId, role);

        var result = await db.Service<ProjectService>(actor).CreateAsync(orgId, "  Vectors  ");

        Assert.Equal(allowed, result.IsSuccess);
        if (!allowed)
        {
            Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
            return;
        }
        var details = await db.Service<ProjectService>(actor).GetAsync(orgId, result.Value);
        Assert.Equal("Vectors", details.Value.Name);
        Assert.Equal(Role.ProjectOwner, details.Value.YourRole);
        Assert.True((await db.Service<Authorizer>(actor).DemandAsync(orgId, result.Value, Permission.DeleteProject)).IsSuccess);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "project.created" && e.ProjectId == result.Value);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Plan.Starter, 1)]
    [InlineData(Plan.Standard, 20)]
    [InlineData(Plan.Enterprise, 100)]
    public async Task Create_StopsAtThePlanLimit_WithAClearQuotaError(Plan plan, int limit)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, plan);
        for (var i = 1; i < limit; i++) await db.AddProjectAsync(orgId, $"Existing {i}");
        var projects = db.Service<ProjectService>(owner);

        Assert.True((await projects.CreateAsync(orgId, "The last one")).IsSuccess);
        var over = await projects.CreateAsync(orgId, "One too many");

        Assert.Equal(ErrorKind.Quota, over.Error?.Kind);
        Assert.Contains($"{plan} plan allows {limit} project", over.Error?.Message);
        Assert.Contains("upgrade", over.Error?.Message);
        Assert.Equal(limit, (await projects.GetQuotaAsync(orgId)).Value.Used);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("search")]
    [InlineData("SEARCH")]
    [InlineData("  Search ")]
    public async Task Create_ADuplicateName_CaseInsensitive_IsAValidationError(string name)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Standard);
        Assert.True((await db.Service<ProjectService>(owner).CreateAsync(orgId, "Search")).IsSuccess);

        var duplicate = await db.Service<ProjectService>(owner).CreateAsync(orgId, name);

        Assert.Equal(ErrorKind.Validation, duplicate.Error?.Kind);
        Assert.Contains("already exists", duplicate.Error?.For("Name"));
        // The same name in another organization is fine.
        var (other, otherOwner) = await db.CreateOrganizationAsync("Other");
        Assert.True((await db.Service<ProjectService>(otherOwner).CreateAsync(other, "Search")).IsSuccess);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task Create_InvalidName_ChangesNothing(string? name)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();

        var blank = await db.Service<ProjectService>(owner).CreateAsync(orgId, name);
        var tooLong = await db.Service<ProjectService>(owner).CreateAsync(orgId, new string('p', 513));

        Assert.Equal(ErrorKind.Validation, blank.Error?.Kind);
        Assert.Equal(ErrorKind.Validation, tooLong.Error?.Kind);
        Assert.Empty((await db.Service<ProjectService>(owner).ListAsync(orgId)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task List_OwnersSeeEveryProject_OthersOnlyTheirs_BillingAdminsWithoutRoleNone()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var alpha = await db.AddProjectAsync(orgId, "Alpha");
        await db.AddProjectAsync(orgId, "Beta");
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, user, Role.ProjectMember, alpha);
        var billing = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin);

        var ownerSees = (await db.Service<ProjectService>(owner).ListAsync(orgId)).Value;
        var userSees = (await db.Service<ProjectService>(user).ListAsync(orgId)).Value;
        var billingSees = (await db.Service<ProjectService>(billing).ListAsync(orgId)).Value;

        Assert.Equal(["Alpha", "Beta"], ownerSees.Select(p => p.Name));
        Assert.All(ownerSees, p => Assert.True(p.ImplicitOwner));
        Assert.Equal("Alpha", Assert.Single(userSees).Name);
        Assert.Equal(Role.ProjectMember, userSees[0].YourRole);
        Assert.Empty(billingSees);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.ProjectOwner, true)]
    [InlineData(Role.ProjectMember, false)]
    public async Task RenameAndDelete_NeedProjectOwner(Role projectRole, bool allowed)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId, "Alpha");
        var user = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, user, projectRole, projectId);
        var projects = db.Service<ProjectService>(user);

        var renamed = await projects.RenameAsync(orgId, projectId, "Alpha 2");
        var deleted = await projects.DeleteAsync(orgId, projectId, allowed ? "Alpha 2" : "Alpha");

        Assert.Equal(allowed, renamed.IsSuccess);
        Assert.Equal(allowed, deleted.IsSuccess);
        if (!allowed)
        {
            Assert.Equal(ErrorKind.Forbidden, renamed.Error?.Kind);
            Assert.Equal(ErrorKind.Forbidden, deleted.Error?.Kind);
            Assert.Equal("Alpha", (await projects.GetAsync(orgId, projectId)).Value.Name);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Rename_ToAnotherProjectsName_IsRefused()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var alpha = await db.AddProjectAsync(orgId, "Alpha");
        await db.AddProjectAsync(orgId, "Beta");

        var result = await db.Service<ProjectService>(owner).RenameAsync(orgId, alpha, "beta");
        var sameNameNewCase = await db.Service<ProjectService>(owner).RenameAsync(orgId, alpha, "ALPHA");

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.True(sameNameNewCase.IsSuccess);
        Assert.Equal("ALPHA", (await db.Service<ProjectService>(owner).GetAsync(orgId, alpha)).Value.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_NeedsTheTypedName_AndTakesKeysAndRoleAssignmentsWithIt()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Standard);
        var projectId = (await db.Service<ProjectService>(owner).CreateAsync(orgId, "Doomed")).Value;
        var member = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, member, Role.ProjectMember, projectId);
        var key = (await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "ci", [Role.ProjectEditor])).Value;

        Assert.Equal(ErrorKind.Validation, (await db.Service<ProjectService>(owner).DeleteAsync(orgId, projectId, "doomed")).Error?.Kind);
        Assert.True((await db.Service<ProjectService>(owner).DeleteAsync(orgId, projectId, "Doomed")).IsSuccess);

        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.Projects.AnyAsync(p => p.Id == projectId));
        Assert.False(await ctx.ApiKeys.AnyAsync());
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.ProjectId == projectId));
        Assert.Null(await db.Service<ApiKeyService>(null).VerifyAsync(key.Value));
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "project.deleted");
    }

    [Fact(Timeout = 30_000)]
    public async Task ForeignIds_AreNotFound()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var (otherOrg, _) = await db.CreateOrganizationAsync("Other");
        var foreignProject = await db.AddProjectAsync(otherOrg, "Theirs");
        var projects = db.Service<ProjectService>(owner);

        Assert.Equal(ErrorKind.NotFound, (await projects.GetAsync(orgId, foreignProject)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await projects.GetAsync(otherOrg, foreignProject)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await projects.RenameAsync(orgId, foreignProject, "Mine now")).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await projects.DeleteAsync(orgId, foreignProject, "Theirs")).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await projects.CreateAsync(otherOrg, "Sneaky")).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await projects.ListAsync(otherOrg)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await projects.GetAsync(orgId, Guid.NewGuid())).Error?.Kind);
    }
}
