using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// Where an account event is recorded (SPEC §9): in every organization the person belongs to, so each organization's
/// owners see it; a person with no organization is recorded in the platform chain.
/// </summary>
public static class AccountEvents
{
    public static async Task AppendAsync(ApplicationDbContext db, AuditLog audit, Actor actor, string userId, AuditEntry entry, CancellationToken ct = default)
    {
        var organizations = await db.RoleAssignments
            .Where(r => r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
            .Select(r => r.OrganizationId).Distinct().ToListAsync(ct);
        if (organizations.Count == 0) await audit.AppendAsync(db, actor, null, entry, ct);
        foreach (var organizationId in organizations) await audit.AppendAsync(db, actor, organizationId, entry, ct);
    }

    /// <summary>The person acting on their own account: the signed-in actor, or — on a reset link — the account itself.</summary>
    public static Actor ActorFor(ApplicationUser user, Actor current) =>
        current.IsUser ? current : new Actor(ActorType.User, user.Id, user.Email ?? user.Id) { IpAddress = current.IpAddress, UserAgent = current.UserAgent };
}
