namespace OrgConsole.AdminApi;

/// <summary>Where the Admin API's reference page lives (the API itself maps its operations in <see cref="AdminOperations"/>).</summary>
public static class AdminApiRoutes
{
    public const string ApiReferencePage = "/api-reference";
}
