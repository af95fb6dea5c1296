using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Sso;

/// <summary>Where the single sign-on settings live.</summary>
public static class SsoRoutes
{
    public const string SsoPage = OrgRoutes.Prefix + "/sso";

    public static string Sso(Guid orgId) => OrgRoutes.Link(SsoPage, orgId);
}
