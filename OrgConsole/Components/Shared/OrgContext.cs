using OrgConsole.Access;

namespace OrgConsole.Components.Shared;

/// <summary>
/// What the signed-in user may do in the organization shown, cascaded to every page by <c>OrgShell</c> (around the page body).
/// The UI asks <see cref="Can"/> to hide or disable actions; the services decide again on every call.
/// </summary>
public sealed class OrgContext(OrgAccess access, Func<Task> refresh)
{
    public Guid OrganizationId => access.OrganizationId;
    public string Name => access.OrganizationName;
    /// <summary>The most privileged of <see cref="Roles"/>, for labels.</summary>
    public Role Role => access.Role;

    /// <summary>Every organization role the user holds; <see cref="Can"/> answers for their union.</summary>
    public IReadOnlyList<Role> Roles => access.Roles;

    public bool IsOwner => access.IsOwner;
    public Plan Plan => access.Plan;

    /// <summary>The support visit this organization is seen through, when the viewer is support staff.</summary>
    public SupportSession? SupportVisit => access.Actor.Support;

    /// <summary>The signed-in person's user id.</summary>
    public string UserId => access.Actor.Id;

    public bool Can(Permission permission) => access.Can(permission);

    /// <summary>"Needs the Owner role" — the tooltip on an action this role may not take.</summary>
    public static string Needs(Permission permission) => $"Needs the {Authorizer.RolesThatCan(permission)} role";

    /// <summary>What support staff see on every control they may not use: no role would help them.</summary>
    public const string ReadOnlySupportView = "Read-only support view";

    /// <summary>Why <paramref name="viewer"/> may not take an action: read-only support view, or the role that would allow it.</summary>
    public static string Needs(OrgContext? viewer, Permission permission) =>
        viewer?.SupportVisit is not null ? ReadOnlySupportView : Needs(permission);

    /// <summary>The hint under a disabled form: "Needs the Owner role to rename the organization." or "Read-only support view."</summary>
    public static string Hint(OrgContext? viewer, Permission permission, string purpose) =>
        viewer?.SupportVisit is not null ? ReadOnlySupportView + "." : $"{Needs(permission)} {purpose}.";

    /// <summary>Reloads the role from the database (after the server refused an action, the role may have changed).</summary>
    public Task RefreshAsync() => refresh();

    /// <summary>
    /// The viewer's role in the organization of a console address (<c>/orgs/{id}/…</c>), read afresh; null when the address
    /// names no organization or one the viewer cannot see. <paramref name="refresh"/> is what <see cref="RefreshAsync"/> does
    /// (nothing, for a part that only shows the role: the navigation, the switcher).
    /// </summary>
    public static async Task<OrgContext?> AtAsync(Authorizer authorizer, string uri, Func<Task>? refresh = null) =>
        Layout.OrgRoutes.OrganizationIdOf(uri) is { } id && await authorizer.GetAccessAsync(id) is { } access
            ? new OrgContext(access, refresh ?? (() => Task.CompletedTask))
            : null;
}
