using OrgConsole.Components.Layout;

namespace OrgConsole.Features.ServiceAccounts;

/// <summary>Where the service accounts page lives.</summary>
public static class ServiceAccountsRoutes
{
    public const string ServiceAccountsPage = OrgRoutes.Prefix + "/service-accounts";

    public static string ServiceAccounts(Guid orgId) => OrgRoutes.Link(ServiceAccountsPage, orgId);
}
