using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Members;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Access;

/// <summary>
/// SPEC §1.1 and §1.2, copied here independently of <see cref="RolePermissions"/>: a wrong entry in the app's
/// table makes these fail. Columns: Owner, User, Billing admin (organization); Project owner, Project user (project).
/// </summary>
public class PermissionMatrixTests
{
    private static readonly Role[] OrgColumns = [Role.OrgOwner, Role.OrgMember, Role.OrgBillingAdmin];

    private static readonly (Permission Permission, string Marks)[] SpecOrganizationTable =
    [
        (Permission.ViewAccountDetails, "✓✓✓"),
        (Permission.UpdateOrganizationName, "✓··"),
        (Permission.DeleteOrganization, "✓··"),
        (Permission.ViewBillingDetails, "✓·✓"),
        (Permission.UpdateBillingDetails, "✓·✓"),
        (Permission.ViewUsageDetails, "✓·✓"),
        (Permission.ViewSupportPlans, "✓·✓"),
        (Permission.InviteMembers, "✓··"),
        (Permission.ViewInvitations, "✓··"),     // seeing who is invited goes with inviting and revoking
        (Permission.DeletePendingInvites, "✓··"),
        (Permission.RemoveMembers, "✓··"),
        (Permission.UpdateMemberRoles, "✓··"),
        (Permission.CreateProjects, "✓✓·"),
        // Owner-only capabilities the seed adds in prose.
        (Permission.ConfigureSso, "✓··"),
        (Permission.ManageServiceAccounts, "✓··"),
        (Permission.ViewAuditLog, "✓··"),
    ];

    private static readonly (Permission Permission, string Marks)[] SpecProjectTable =
    [
        (Permission.ViewProject, "✓✓"),
        (Permission.UpdateProjectName, "✓·"),
        (Permission.DeleteProject, "✓·"),
        (Permission.ViewProjectMembers, "✓✓"),
        (Permission.ManageProjectMembers, "✓·"),
        (Permission.RemoveProjectMembers, "✓·"),
        (Permission.ViewApiKeys, "✓✓"),
        (Permission.CreateApiKeys, "✓·"),
        (Permission.ManageApiKeys, "✓·"),
    ];

    public static TheoryData<Permission, Role, bool> OrganizationCases()
    {
        var data = new TheoryData<Permission, Role, bool>();
        foreach (var (permission, marks) in SpecOrganizationTable)
            for (var i = 0; i < OrgColumns.Length; i++)
                data.Add(permission, OrgColumns[i], marks[i] == '✓');
        return data;
    }

    /// <summary>Project cases: the principal's org role and project role (null: none) and whether the spec allows it.</summary>
    public static TheoryData<Permission, Role, Role?, bool> ProjectCases()
    {
        var data = new TheoryData<Permission, Role, Role?, bool>();
        foreach (var (permission, marks) in SpecProjectTable)
        {
            var owner = marks[0] == '✓';
            var user = marks[1] == '✓';
            data.Add(permission, Role.OrgMember, Role.ProjectOwner, owner);
            data.Add(permission, Role.OrgMember, Role.ProjectMember, user);
            data.Add(permission, Role.OrgBillingAdmin, Role.ProjectOwner, owner);
            data.Add(permission, Role.OrgBillingAdmin, Role.ProjectMember, user);
            data.Add(permission, Role.OrgOwner, null, owner); // org owners are implicit project owners
        }
        return data;
    }

    public static TheoryData<Permission> AllOrganizationPermissions() => new(SpecOrganizationTable.Select(r => r.Permission));
    public static TheoryData<Permission> AllProjectPermissions() => new(SpecProjectTable.Select(r => r.Permission));

    /// <summary>SPEC §8: support staff see an organization read-only — every view permission, nothing else.</summary>
    [Fact]
    public void SupportViewer_HoldsTheViewPermissionsOnly()
    {
        Permission[] views =
        [
            Permission.ViewAccountDetails, Permission.ViewBillingDetails, Permission.ViewUsageDetails, Permission.ViewSupportPlans,
            Permission.ViewInvitations, Permission.ViewAuditLog, Permission.ViewProject, Permission.ViewProjectMembers, Permission.ViewApiKeys,
        ];
        Assert.Equal(views.Order(), RolePermissions.PermissionsOf(Role.SupportViewer).Order());
    }

    [Fact]
    public void TheSpecTablesCoverEveryPermission()
    {
        var covered = SpecOrganizationTable.Select(r => r.Permission).Concat(SpecProjectTable.Select(r => r.Permission)).ToHashSet();
        Assert.Equal(Enum.GetValues<Permission>().ToHashSet(), covered);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(OrganizationCases))]
    public async Task Authorizer_OrganizationPermission_MatchesSpecForMember(Permission permission, Role role, bool allowed)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var memberId = role == Role.OrgOwner ? await db.AddMemberAsync(orgId, Role.OrgOwner) : await db.AddMemberAsync(orgId, role);

        var result = await db.Service<Authorizer>(memberId).DemandAsync(orgId, permission);

        Assert.Equal(allowed, result.IsSuccess);
        if (!allowed) Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(AllOrganizationPermissions))]
    public async Task Authorizer_OrganizationPermission_NonMemberGetsNotFound(Permission permission)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var (_, strangerOwnerOfOtherOrg) = await db.CreateOrganizationAsync("Other");

        var result = await db.Service<Authorizer>(strangerOwnerOfOtherOrg).DemandAsync(orgId, permission);
        var anonymous = await db.Service<Authorizer>(null).DemandAsync(orgId, permission);

        Assert.Equal(ErrorKind.NotFound, result.Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, anonymous.Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(ProjectCases))]
    public async Task Authorizer_ProjectPermission_MatchesSpec(Permission permission, Role orgRole, Role? projectRole, bool allowed)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId);
        var memberId = await db.AddMemberAsync(orgId, orgRole);
        if (projectRole is { } pr) await db.GrantAsync(orgId, memberId, pr, projectId);

        var result = await db.Service<Authorizer>(memberId).DemandAsync(orgId, projectId, permission);

        Assert.Equal(allowed, result.IsSuccess);
        if (!allowed) Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(AllProjectPermissions))]
    public async Task Authorizer_ProjectPermission_WithoutProjectRoleOrMembershipIsNotFound(Permission permission)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId);
        var orgUser = await db.AddMemberAsync(orgId, Role.OrgMember);
        var billingAdmin = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin);
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other");
        var foreignProject = await db.AddProjectAsync(otherOrg);

        // An org user or billing admin without a project role does not see the project (SPEC §1.1).
        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(orgUser).DemandAsync(orgId, projectId, permission)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(billingAdmin).DemandAsync(orgId, projectId, permission)).Error?.Kind);
        // An owner of another organization sees nothing here, and a foreign project id under one's own org is not found.
        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(otherOwner).DemandAsync(orgId, projectId, permission)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(otherOwner).DemandAsync(otherOrg, projectId, permission)).Error?.Kind);
        var owner = (await db.CreateOrganizationAsync("Third")).OwnerId;
        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(owner).DemandAsync(orgId, foreignProject, permission)).Error?.Kind);
    }

    /// <summary>The same matrix through the organization and member services: each method demands its permission.</summary>
    public static TheoryData<string, Role, bool> ServiceCases()
    {
        var data = new TheoryData<string, Role, bool>();
        var methods = new (string Name, Permission Permission)[]
        {
            ("Get", Permission.ViewAccountDetails),
            ("Rename", Permission.UpdateOrganizationName),
            ("Delete", Permission.DeleteOrganization),
            ("ChangeMemberRole", Permission.UpdateMemberRoles),
            ("RemoveMember", Permission.RemoveMembers),
        };
        foreach (var (name, permission) in methods)
        {
            var marks = SpecOrganizationTable.Single(r => r.Permission == permission).Marks;
            for (var i = 0; i < OrgColumns.Length; i++) data.Add(name, OrgColumns[i], marks[i] == '✓');
        }
        return data;
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(ServiceCases))]
    public async Task Services_EnforceTheMatrix(string method, Role role, bool allowed)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, ownerId) = await db.CreateOrganizationAsync("Acme");
        var actorId = await db.AddMemberAsync(orgId, role);
        var target = await db.AddMemberAsync(orgId, Role.OrgMember);

        var result = await CallAsync(db, method, actorId, orgId, target);
        Assert.Equal(allowed, result.IsSuccess);
        if (!allowed) Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);

        // A non-member (owner of another organization) gets NotFound from every method.
        var (_, stranger) = await db.CreateOrganizationAsync("Elsewhere");
        var foreign = await CallAsync(db, method, stranger, orgId, ownerId);
        Assert.Equal(ErrorKind.NotFound, foreign.Error?.Kind);
    }

    private static async Task<Result> CallAsync(TestDb db, string method, string actorId, Guid orgId, string targetUserId)
    {
        var orgs = db.Service<OrganizationService>(actorId);
        var members = db.Service<MemberService>(actorId);
        return method switch
        {
            "Get" => await orgs.GetAsync(orgId),
            "Rename" => await orgs.RenameAsync(orgId, "Renamed"),
            "Delete" => await orgs.DeleteAsync(orgId, "Acme"),
            "ChangeMemberRole" => await members.ChangeRoleAsync(orgId, targetUserId, Role.OrgBillingAdmin),
            "RemoveMember" => await members.RemoveAsync(orgId, targetUserId),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
    }
}
