using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Projects;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Projects;

public class ProjectMemberServiceTests
{
    private static async Task<(TestDb Db, Guid OrgId, string OrgOwner, Guid ProjectId, string ProjectOwner)> ProjectWithOwnerAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, orgOwner) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId, "Alpha");
        var projectOwner = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, projectOwner, Role.ProjectOwner, projectId);
        return (db, orgId, orgOwner, projectId, projectOwner);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProjectOwner_AddsAnOrgMember_ChangesTheirRole_AndRemovesThem()
    {
        var (db, orgId, _, projectId, projectOwner) = await ProjectWithOwnerAsync();
        await using var _ = db;
        var newcomer = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin);
        var members = db.Service<ProjectMemberService>(projectOwner);

        Assert.Contains((await members.ListCandidatesAsync(orgId, projectId)).Value, c => c.UserId == newcomer);
        Assert.True((await members.AddAsync(orgId, projectId, newcomer, Role.ProjectMember)).IsSuccess);
        Assert.True((await db.Service<Authorizer>(newcomer).DemandAsync(orgId, projectId, Permission.ViewApiKeys)).IsSuccess);
        Assert.Equal(ErrorKind.Forbidden, (await db.Service<Authorizer>(newcomer).DemandAsync(orgId, projectId, Permission.CreateApiKeys)).Error?.Kind);

        Assert.True((await members.ChangeRoleAsync(orgId, projectId, newcomer, Role.ProjectOwner)).IsSuccess);
        Assert.True((await db.Service<Authorizer>(newcomer).DemandAsync(orgId, projectId, Permission.CreateApiKeys)).IsSuccess);

        Assert.True((await members.RemoveAsync(orgId, projectId, newcomer)).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(newcomer).DemandAsync(orgId, projectId, Permission.ViewProject)).Error?.Kind);
        var actions = (await db.AuditEventsAsync(orgId)).Select(e => e.Action).ToList();
        Assert.Contains("project.member_added", actions);
        Assert.Contains("project.member_role_changed", actions);
        Assert.Contains("project.member_removed", actions);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProjectUser_CanViewMembers_ButNotChangeThem()
    {
        var (db, orgId, _, projectId, _) = await ProjectWithOwnerAsync();
        await using var _ = db;
        var viewer = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, viewer, Role.ProjectMember, projectId);
        var other = await db.AddMemberAsync(orgId, Role.OrgMember);
        var members = db.Service<ProjectMemberService>(viewer);

        Assert.True((await members.ListAsync(orgId, projectId)).IsSuccess);
        Assert.Equal(ErrorKind.Forbidden, (await members.AddAsync(orgId, projectId, other, Role.ProjectMember)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await members.ChangeRoleAsync(orgId, projectId, viewer, Role.ProjectOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await members.RemoveAsync(orgId, projectId, viewer)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await members.ListCandidatesAsync(orgId, projectId)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task OrgOwners_AreListedAsImplicitOwners_AndCannotBeRemovedOrAdded()
    {
        var (db, orgId, orgOwner, projectId, projectOwner) = await ProjectWithOwnerAsync();
        await using var _ = db;
        var members = db.Service<ProjectMemberService>(projectOwner);

        var rows = (await members.ListAsync(orgId, projectId)).Value;
        var ownerRow = Assert.Single(rows, r => r.UserId == orgOwner);
        Assert.True(ownerRow.ImplicitOwner);
        Assert.Equal(Role.ProjectOwner, ownerRow.Role);
        Assert.False(Assert.Single(rows, r => r.UserId == projectOwner).ImplicitOwner);

        Assert.Equal(ErrorKind.Conflict, (await members.RemoveAsync(orgId, projectId, orgOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.Conflict, (await members.AddAsync(orgId, projectId, orgOwner, Role.ProjectMember)).Error?.Kind);
        Assert.DoesNotContain((await members.ListCandidatesAsync(orgId, projectId)).Value, c => c.UserId == orgOwner);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheLastProjectOwner_CannotBeDemotedOrRemoved_UntilAnotherOwnerIsAdded()
    {
        var (db, orgId, orgOwner, projectId, projectOwner) = await ProjectWithOwnerAsync();
        await using var _ = db;
        var members = db.Service<ProjectMemberService>(orgOwner);

        var demote = await members.ChangeRoleAsync(orgId, projectId, projectOwner, Role.ProjectMember);
        var remove = await members.RemoveAsync(orgId, projectId, projectOwner);

        Assert.Equal(ErrorKind.Conflict, demote.Error?.Kind);
        Assert.Equal(ProjectMemberService.LastOwnerMessage, remove.Error?.Message);
        Assert.True((await db.Service<Authorizer>(projectOwner).DemandAsync(orgId, projectId, Permission.DeleteProject)).IsSuccess);

        var successor = await db.AddMemberAsync(orgId, Role.OrgMember);
        Assert.True((await members.AddAsync(orgId, projectId, successor, Role.ProjectOwner)).IsSuccess);
        Assert.True((await members.RemoveAsync(orgId, projectId, projectOwner)).IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task InvalidInput_ChangesNothing()
    {
        var (db, orgId, orgOwner, projectId, _) = await ProjectWithOwnerAsync();
        await using var _ = db;
        var members = db.Service<ProjectMemberService>(orgOwner);
        var member = await db.AddMemberAsync(orgId, Role.OrgMember);
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other");
        var outsider = await db.AddMemberAsync(otherOrg, Role.OrgMember);

        Assert.Equal(ErrorKind.Validation, (await members.AddAsync(orgId, projectId, member, Role.OrgOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.Validation, (await members.AddAsync(orgId, projectId, member, Role.ProjectEditor)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await members.AddAsync(orgId, projectId, outsider, Role.ProjectMember)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await members.AddAsync(orgId, projectId, "no-such-user", Role.ProjectMember)).Error?.Kind);
        Assert.True((await members.AddAsync(orgId, projectId, member, Role.ProjectMember)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await members.AddAsync(orgId, projectId, member, Role.ProjectOwner)).Error?.Kind);
        // Someone else's organization and project ids.
        Assert.Equal(ErrorKind.NotFound, (await db.Service<ProjectMemberService>(otherOwner).ListAsync(orgId, projectId)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<ProjectMemberService>(otherOwner).AddAsync(otherOrg, projectId, outsider, Role.ProjectMember)).Error?.Kind);
        Assert.Equal(2, (await members.ListAsync(orgId, projectId)).Value.Count(r => !r.ImplicitOwner));
    }
}
