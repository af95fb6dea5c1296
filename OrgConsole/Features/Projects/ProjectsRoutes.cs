using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Projects;

/// <summary>Where the project list and a project (its settings, members and API keys tabs) live.</summary>
public static class ProjectsRoutes
{
    public const string ProjectsPage = OrgRoutes.Prefix + "/projects";
    public const string ProjectPage = ProjectsPage + "/{ProjectId:guid}";

    public static string Projects(Guid orgId) => OrgRoutes.Link(ProjectsPage, orgId);
    public static string Project(Guid orgId, Guid projectId) => OrgRoutes.Link(ProjectPage, orgId, projectId);
}
