namespace OrgConsole.Components.Layout;

/// <summary>Organization pages live under <c>/orgs/{OrgId}</c>.</summary>
public static class OrgRoutes
{
    public const string New = "/orgs/new";
    public static string Overview(Guid orgId) => $"/orgs/{orgId}";
    public static string Settings(Guid orgId) => $"/orgs/{orgId}/settings";
    public static string Members(Guid orgId) => $"/orgs/{orgId}/members";
    public static string AuditLog(Guid orgId) => $"/orgs/{orgId}/audit";
    public static string Sso(Guid orgId) => $"/orgs/{orgId}/sso";
    public static string ServiceAccounts(Guid orgId) => $"/orgs/{orgId}/service-accounts";
    public static string Projects(Guid orgId) => $"/orgs/{orgId}/projects";
    public static string Project(Guid orgId, Guid projectId) => $"/orgs/{orgId}/projects/{projectId}";

    public static Guid? OrganizationIdOf(string uri)
    {
        var path = new Uri(uri).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return path.Length >= 2 && path[0] == "orgs" && Guid.TryParse(path[1], out var id) ? id : null;
    }
}
