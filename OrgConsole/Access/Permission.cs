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
    ViewInvitations,
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

public static class PermissionNames
{
    /// <summary>The spec's wording of a permission, for people.</summary>
    public static string Describe(this Permission permission) => permission switch
    {
        Permission.ViewAccountDetails => "View account details",
        Permission.UpdateOrganizationName => "Update organization name",
        Permission.DeleteOrganization => "Delete the organization",
        Permission.ViewBillingDetails => "View billing details",
        Permission.UpdateBillingDetails => "Update billing details",
        Permission.ViewUsageDetails => "View usage details",
        Permission.ViewSupportPlans => "View support plans",
        Permission.InviteMembers => "Invite members to the organization",
        Permission.ViewInvitations => "View pending invitations",
        Permission.DeletePendingInvites => "Delete pending member invites",
        Permission.RemoveMembers => "Remove members from the organization",
        Permission.UpdateMemberRoles => "Update organization member roles",
        Permission.CreateProjects => "Create projects",
        Permission.ConfigureSso => "Configure single sign-on",
        Permission.ManageServiceAccounts => "Manage service accounts",
        Permission.ViewAuditLog => "View and export the audit log",
        Permission.ViewProject => "View project",
        Permission.UpdateProjectName => "Update project name",
        Permission.DeleteProject => "Delete project",
        Permission.ViewProjectMembers => "View project members",
        Permission.ManageProjectMembers => "Add project members and update their roles",
        Permission.RemoveProjectMembers => "Remove project members",
        Permission.ViewApiKeys => "View API keys",
        Permission.CreateApiKeys => "Create API keys",
        Permission.ManageApiKeys => "Update and delete API keys",
        _ => permission.ToString(),
    };
}
