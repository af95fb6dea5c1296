using OrgConsole.Access;

namespace OrgConsole.Features.Projects.Pages;

/// <summary>
/// What the signed-in user may do in the project shown, cascaded by <see cref="ProjectPage"/> to its tabs.
/// The role comes from <see cref="ProjectService.GetAsync"/>; the services decide again on every call.
/// </summary>
public sealed class ProjectContext(ProjectDetails project, Func<Task> refresh)
{
    public Guid OrganizationId => project.OrganizationId;
    public Guid ProjectId => project.Id;
    public string Name => project.Name;
    public DateTime CreatedAt => project.CreatedAt;
    public Role Role => project.YourRole;
    public bool ImplicitOwner => project.ImplicitOwner;

    public string RoleLabel => ImplicitOwner ? "Project owner (organization Owner)" : Role.DisplayName();

    public bool Can(Permission permission) => RolePermissions.Grants(project.YourRole, permission);

    /// <summary>Reloads the project and the role (after a refusal, the role may have changed or the project may be gone).</summary>
    public Task RefreshAsync() => refresh();
}
