using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Members;

/// <summary>Where the members page (with its invitations tab) lives.</summary>
public static class MembersRoutes
{
    public const string MembersPage = OrgRoutes.Prefix + "/members";

    public static string Members(Guid orgId) => OrgRoutes.Link(MembersPage, orgId);
}
