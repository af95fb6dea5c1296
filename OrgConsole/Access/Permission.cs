namespace OrgConsole.Access;

/// <summary>
/// Every operation in OrgConsole demands exactly one of these. Which role grants which permission is
/// data in <see cref="RolePermissions"/>; nothing else decides it.
/// </summary>
public enum Permission
{
    // Organization (SPEC §1.1)
    ViewAccountDetails,
    UpdateOrganizationName,
    DeleteOrganization,
    ViewBillingDetails,
    UpdateBillingDetails,
    ViewUsageDetails,
    ViewSupportPlans,
    InviteMembers,
    DeletePendingInvites,
    RemoveMembers,
    UpdateMemberRoles,
    CreateProjects,
    ConfigureSso,
    ManageServiceAccounts,
    ViewAuditLog,

    // Project (SPEC §1.2)
    ViewProject,
    UpdateProjectName,
    DeleteProject,
    ViewProjectMembers,
    ManageProjectMembers,
    RemoveProjectMembers,
    ViewApiKeys,
    CreateApiKeys,
    ManageApiKeys,
}
