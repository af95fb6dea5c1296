using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Audit;

/// <summary>Where the audit log lives.</summary>
public static class AuditRoutes
{
    public const string AuditLogPage = OrgRoutes.Prefix + "/audit";

    public static string AuditLog(Guid orgId) => OrgRoutes.Link(AuditLogPage, orgId);
}
