using OrgConsole.Access;

namespace OrgConsole.Components.Shared;

/// <summary>
/// What the signed-in user may do in the project shown, cascaded by the project page to its tabs (the project's own and
/// other features', such as API keys — so it lives here, below the features). The role comes from the projects service;
/// the services decide again on every call.
/// </summary>
public sealed class ProjectContext(Guid organizationId, Guid projectId, string name, DateTime createdAt, Role role, bool implicitOwner, Func<Task> refresh)
{
    public Guid OrganizationId => organizationId;
    public Guid ProjectId => projectId;
    public string Name => name;
    public DateTime CreatedAt => createdAt;
    public Role Role => role;
    public bool ImplicitOwner => implicitOwner;

    public string RoleLabel => ImplicitOwner ? "Project owner (organization Owner)" : Role.DisplayName();

    public bool Can(Permission permission) => RolePermissions.Grants(role, permission);

    /// <summary>Reloads the project and the role (after a refusal, the role may have changed or the project may be gone).</summary>
    public Task RefreshAsync() => refresh();
}
