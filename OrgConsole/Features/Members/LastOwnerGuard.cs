using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Members;

/// <summary>
/// The one mechanism that keeps an organization from losing its last owner. Every path that takes the Owner
/// role away from someone (demote, remove, leave, account deletion, SSO default role) calls
/// <see cref="CheckAsync"/> inside the write transaction that makes the change.
/// </summary>
public static class LastOwnerGuard
{
    public static string Message(bool self) => self
        ? "You are the only owner of this organization. Promote another member to Owner first, then try again."
        : "This member is the only owner of the organization. Promote another member to Owner first, then try again.";

    /// <summary>
    /// Refuses (Conflict) when <paramref name="userId"/> holds the last Owner role. Otherwise bumps the
    /// organization's concurrency token, so that two transactions changing owners at once cannot both commit
    /// on a provider that does not serialize writers.
    /// </summary>
    public static async Task<Error?> CheckAsync(ApplicationDbContext db, Guid organizationId, string userId, bool self, CancellationToken ct)
    {
        var org = await db.Organizations.FirstAsync(o => o.Id == organizationId, ct);
        var isOwner = await db.RoleAssignments.AnyAsync(r => r.OrganizationId == organizationId && r.ProjectId == null
            && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId && r.Role == Role.OrgOwner, ct);
        if (!isOwner) return null;

        var otherOwners = await db.RoleAssignments.CountAsync(r => r.OrganizationId == organizationId && r.ProjectId == null
            && r.PrincipalType == PrincipalType.User && r.PrincipalId != userId && r.Role == Role.OrgOwner, ct);
        if (otherOwners == 0) return Error.Conflict(Message(self));

        db.Touch(org);
        return null;
    }
}
