namespace OrgConsole.Access;

/// <summary>
/// Every role a principal can hold. Organization roles are held on an organization, the others on a project.
/// The enum names are the Admin API's wire names (SPEC §1.4).
/// </summary>
public enum Role
{
    // Organization roles
    OrgOwner,
    OrgMember,
    OrgBillingAdmin,

    // Project roles of people and service accounts
    ProjectOwner,
    ProjectMember,

    // API key roles (held by an API key on its project)
    ProjectEditor,
    ProjectViewer,
    ControlPlaneEditor,
    ControlPlaneViewer,
    DataPlaneEditor,
    DataPlaneViewer,

    // Platform
    /// <summary>
    /// Support staff inside one organization after stating a reason (SPEC §8): read-only, never assigned to anyone —
    /// the authorizer grants it for the duration of a support session.
    /// </summary>
    SupportViewer,
}

public enum RoleScope
{
    Organization,
    Project,
    ApiKey,
    Platform,
}

/// <summary>Who holds a role: a person, a service account or an API key.</summary>
public enum PrincipalType
{
    User,
    ServiceAccount,
    ApiKey,

    /// <summary>A pending invitation (its bindings live with the invitation and become the user's on acceptance).</summary>
    Invite,
}

public static class Roles
{
    public static readonly IReadOnlyList<Role> OrganizationRoles = [Role.OrgOwner, Role.OrgMember, Role.OrgBillingAdmin];
    public static readonly IReadOnlyList<Role> ProjectRoles = [Role.ProjectOwner, Role.ProjectMember];

    /// <summary>The roles an API key may hold (each plan allows some of them: PlanLimits.ApiKeyRoles).</summary>
    public static readonly IReadOnlyList<Role> ApiKeyRoles =
        [Role.ProjectEditor, Role.ProjectViewer, Role.ControlPlaneEditor, Role.ControlPlaneViewer, Role.DataPlaneEditor, Role.DataPlaneViewer];

    /// <summary>A principal's roles, most privileged first (the enum lists them so): Owner before User before Billing admin.</summary>
    public static IReadOnlyList<Role> MostPrivilegedFirst(IEnumerable<Role> roles) => roles.Distinct().Order().ToList();

    public static RoleScope ScopeOf(Role role) => role switch
    {
        Role.OrgOwner or Role.OrgMember or Role.OrgBillingAdmin => RoleScope.Organization,
        Role.ProjectOwner or Role.ProjectMember => RoleScope.Project,
        Role.SupportViewer => RoleScope.Platform,
        _ => RoleScope.ApiKey,
    };

    /// <summary>
    /// The name people read in the console: the one label source for every role (chips, dialogs, audit, keys). The wire
    /// name (<c>ProjectEditor</c>) is never shown alone; see <see cref="RoleLabels"/> for messages that name both.
    /// </summary>
    public static string DisplayName(this Role role) => role switch
    {
        Role.OrgOwner => "Owner",
        Role.OrgMember => "User",
        Role.OrgBillingAdmin => "Billing admin",
        Role.ProjectOwner => "Project owner",
        Role.ProjectMember => "Project user",
        Role.ProjectEditor => "Project editor",
        Role.ProjectViewer => "Project viewer",
        Role.ControlPlaneEditor => "Control plane editor",
        Role.ControlPlaneViewer => "Control plane viewer",
        Role.DataPlaneEditor => "Data plane editor",
        Role.DataPlaneViewer => "Data plane viewer",
        Role.SupportViewer => "Support (read-only)",
        _ => role.ToString(),
    };
}
