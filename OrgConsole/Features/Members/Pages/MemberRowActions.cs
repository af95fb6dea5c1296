using Microsoft.AspNetCore.Components;
using OrgConsole.Access;

namespace OrgConsole.Features.Members.Pages;

/// <summary>
/// What the viewer may do to the rows of the Members table, and where the row actions go: one object per table, made
/// again only when the page hands the table new parameters, so a sort or a page hands every row the same two objects
/// (its member and this) and a render leaves nothing new in the rows' parameters. Compares by value.
/// </summary>
public sealed record MemberRowActions(bool CanChangeRoles, bool CanRemove, string? ViewerId, EventCallback<MemberListItem> OnChangeRole,
    EventCallback<(MemberListItem Member, Role Role)> OnAddRole, EventCallback<MemberListItem> OnRemove)
{
    /// <summary>No actions (before the table has its parameters).</summary>
    public static readonly MemberRowActions None = new(false, false, null, default, default, default);
}
