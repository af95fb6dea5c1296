using static OrgConsole.Access.Permission;
using static OrgConsole.Access.Role;

namespace OrgConsole.Access;

/// <summary>
/// The single source of truth for who may do what: SPEC §1.1 and §1.2, written as the spec writes them —
/// one row a permission, the roles that hold it. SupportViewer is support staff's read-only view (SPEC §8): it holds
/// view permissions only, so every change a support session attempts is refused by the same table.
/// </summary>
public static class RolePermissions
{
    /// <summary>SPEC §1.1, plus the Owner-only capabilities the seed adds in prose.</summary>
    public static readonly IReadOnlyList<(Permission Permission, Role[] Roles)> OrganizationTable =
    [
        (ViewAccountDetails,     [OrgOwner, OrgMember, OrgBillingAdmin, SupportViewer]),
        (UpdateOrganizationName, [OrgOwner]),
        (DeleteOrganization,     [OrgOwner]),
        (ViewBillingDetails,     [OrgOwner, OrgBillingAdmin, SupportViewer]),
        (UpdateBillingDetails,   [OrgOwner, OrgBillingAdmin]),
        (ViewUsageDetails,       [OrgOwner, OrgBillingAdmin, SupportViewer]),
        (ViewSupportPlans,       [OrgOwner, OrgBillingAdmin, SupportViewer]),
        (InviteMembers,          [OrgOwner]),
        (ViewInvitations,        [OrgOwner, SupportViewer]),
        (DeletePendingInvites,   [OrgOwner]),
        (RemoveMembers,          [OrgOwner]),
        (UpdateMemberRoles,      [OrgOwner]),
        (CreateProjects,         [OrgOwner, OrgMember]),
        (ConfigureSso,           [OrgOwner]),
        (ManageServiceAccounts,  [OrgOwner]),
        (ViewAuditLog,           [OrgOwner, SupportViewer]),
    ];

    /// <summary>SPEC §1.2. Org owners hold Project owner on every project implicitly (SPEC §1.1).</summary>
    public static readonly IReadOnlyList<(Permission Permission, Role[] Roles)> ProjectTable =
    [
        (ViewProject,          [ProjectOwner, ProjectMember, SupportViewer]),
        (UpdateProjectName,    [ProjectOwner]),
        (DeleteProject,        [ProjectOwner]),
        (ViewProjectMembers,   [ProjectOwner, ProjectMember, SupportViewer]),
        (ManageProjectMembers, [ProjectOwner]),
        (RemoveProjectMembers, [ProjectOwner]),
        (ViewApiKeys,          [ProjectOwner, ProjectMember, SupportViewer]),
        (CreateApiKeys,        [ProjectOwner]),
        (ManageApiKeys,        [ProjectOwner]),
    ];

    private static readonly Dictionary<Role, HashSet<Permission>> ByRole = BuildByRole();

    public static bool IsProjectPermission(Permission permission) => ProjectTable.Any(row => row.Permission == permission);

    public static bool Grants(Role role, Permission permission) =>
        ByRole.TryGetValue(role, out var set) && set.Contains(permission);

    public static IReadOnlySet<Permission> PermissionsOf(Role role) =>
        ByRole.TryGetValue(role, out var set) ? set : new HashSet<Permission>();

    private static Dictionary<Role, HashSet<Permission>> BuildByRole()
    {
        var map = new Dictionary<Role, HashSet<Permission>>();
        foreach (var (permission, roles) in OrganizationTable.Concat(ProjectTable))
        {
            foreach (var role in roles)
            {
                if (!map.TryGetValue(role, out var set)) map[role] = set = [];
                set.Add(permission);
            }
        }
        return map;
    }
}
