using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Organizations;

/// <summary>Where the organization pages live: creating one, its overview and its settings.</summary>
public static class OrganizationRoutes
{
    public const string New = "/orgs/new";
    public const string OverviewPage = OrgRoutes.Prefix;
    public const string SettingsPage = OrgRoutes.Prefix + "/settings";

    public static string Overview(Guid orgId) => OrgRoutes.Link(OverviewPage, orgId);
    public static string Settings(Guid orgId) => OrgRoutes.Link(SettingsPage, orgId);
}
