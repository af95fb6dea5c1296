using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Support;

/// <summary>Where the support console and its view of one organization live (platform support staff only).</summary>
public static class SupportRoutes
{
    public const string ConsolePage = "/support";
    public const string OrganizationPage = ConsolePage + "/orgs/{OrgId:guid}";

    public static string Organization(Guid orgId) => OrgRoutes.Link(OrganizationPage, orgId);
}
