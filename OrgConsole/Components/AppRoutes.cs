namespace OrgConsole.Components;

/// <summary>The shell's own pages: home (which sends the person on), not found and the error page.</summary>
public static class AppRoutes
{
    public const string HomePage = "/";
    public const string NotFoundPage = "/not-found";
    public const string ErrorPage = "/Error";
}
