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

    /// <summary>
    /// A principal's roles, most privileged first (the enum lists them so): Owner before User before Billing admin. The
    /// list is read-only and shared by everyone who holds the same roles (one per set, made the first time it is asked
    /// for), so reading a page of members makes no new role lists, and a list shown stays the very list shown.
    /// </summary>
    public static IReadOnlyList<Role> MostPrivilegedFirst(IEnumerable<Role> roles)
    {
        var set = 0;
        foreach (var role in roles) set |= Bit(role);
        return OfSet(set);
    }

    /// <summary>Only <paramref name="role"/>: the same shared list as <see cref="MostPrivilegedFirst(IEnumerable{Role})"/> gives for it.</summary>
    public static IReadOnlyList<Role> Only(Role role) => OfSet(Bit(role));

    /// <summary>The same for roles in a span (a reader's roles without a collection of their own).</summary>
    public static IReadOnlyList<Role> MostPrivilegedFirst(ReadOnlySpan<Role> roles)
    {
        var set = 0;
        foreach (var role in roles) set |= Bit(role);
        return OfSet(set);
    }

    private static readonly int RoleCount = Enum.GetValues<Role>().Length;

    // One slot per set of roles (2^12 of them): filled on first use; two threads filling one slot make equal lists.
    private static readonly IReadOnlyList<Role>?[] BySet = new IReadOnlyList<Role>?[1 << RoleCount];

    private static int Bit(Role role) => (uint)role < (uint)RoleCount
        ? 1 << (int)role
        : throw new ArgumentOutOfRangeException(nameof(role), role, "Not a role.");

    private static IReadOnlyList<Role> OfSet(int set) => BySet[set] ??= Array.AsReadOnly(
        Enumerable.Range(0, RoleCount).Where(bit => (set & (1 << bit)) != 0).Select(bit => (Role)bit).ToArray());

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
