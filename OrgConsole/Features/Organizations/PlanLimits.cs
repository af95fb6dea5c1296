using OrgConsole.Access;

namespace OrgConsole.Features.Organizations;

/// <summary>What each plan allows. The one place plan limits are written down.</summary>
public sealed record PlanLimits(Plan Plan, int MaxProjects, IReadOnlyList<Role> ApiKeyRoles, bool AllowsSso, bool AllowsServiceAccounts)
{
    private static readonly Role[] AllApiKeyRoles =
        [Role.ProjectEditor, Role.ProjectViewer, Role.ControlPlaneEditor, Role.ControlPlaneViewer, Role.DataPlaneEditor, Role.DataPlaneViewer];

    public static readonly PlanLimits Starter = new(Plan.Starter, MaxProjects: 1, ApiKeyRoles: [Role.ProjectEditor], AllowsSso: false, AllowsServiceAccounts: false);
    public static readonly PlanLimits Standard = new(Plan.Standard, MaxProjects: 20, ApiKeyRoles: AllApiKeyRoles, AllowsSso: false, AllowsServiceAccounts: false);
    public static readonly PlanLimits Enterprise = new(Plan.Enterprise, MaxProjects: 100, ApiKeyRoles: AllApiKeyRoles, AllowsSso: true, AllowsServiceAccounts: true);

    public static PlanLimits For(Plan plan) => plan switch
    {
        Plan.Starter => Starter,
        Plan.Standard => Standard,
        Plan.Enterprise => Enterprise,
        _ => throw new ArgumentOutOfRangeException(nameof(plan)),
    };
}
