using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Members;

public sealed record MemberRow(string UserId, string Name, string Email, Role Role, DateTime JoinedAt);

/// <summary>Organization membership: who belongs, with which role; every path that removes an owner goes through <see cref="LastOwnerGuard"/>.</summary>
public sealed class MemberService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit)
{
    public async Task<Result<IReadOnlyList<MemberRow>>> ListAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (
            from ra in db.RoleAssignments
            join u in db.Users on ra.PrincipalId equals u.Id
            where ra.OrganizationId == organizationId && ra.ProjectId == null && ra.PrincipalType == PrincipalType.User
            orderby u.Email
            select new MemberRow(u.Id, u.DisplayName ?? u.Email!, u.Email!, ra.Role, ra.CreatedAt)).AsNoTracking().ToListAsync(ct);
        return rows;
    }

    public async Task<Result> ChangeRoleAsync(Guid organizationId, string userId, Role newRole, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error!;
        if (Roles.ScopeOf(newRole) != RoleScope.Organization)
        {
            return Error.Validation("Role", $"Choose an organization role: {string.Join(", ", Roles.OrganizationRoles.Select(r => r.DisplayName()))}.");
        }

        return await dbFactory.WriteAsync(async db =>
        {
            var membership = await FindMembershipAsync(db, organizationId, userId, ct);
            if (membership is null) return Error.NotFound("The member");
            if (membership.Role == newRole) return Result.Ok();
            if (membership.Role == Role.OrgOwner)
            {
                var refused = await LastOwnerGuard.CheckAsync(db, organizationId, userId, self: userId == access.Value.Actor.Id, ct);
                if (refused is not null) return refused;
            }
            var before = membership.Role;
            membership.Role = newRole;
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("member.role_changed", "user", userId,
                Before: new { Role = before.ToString() }, After: new { Role = newRole.ToString() }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Removes a member and every project role they hold in the organization.</summary>
    public async Task<Result> RemoveAsync(Guid organizationId, string userId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.RemoveMembers, ct);
        if (!access.IsSuccess) return access.Error!;
        return await RemoveMembershipAsync(access.Value.Actor, organizationId, userId, "member.removed", ct);
    }

    /// <summary>The current user leaves the organization (any member may, except its last owner).</summary>
    public async Task<Result> LeaveAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error!;
        return await RemoveMembershipAsync(access.Value.Actor, organizationId, access.Value.Actor.Id, "member.left", ct);
    }

    private Task<Result> RemoveMembershipAsync(Actor actor, Guid organizationId, string userId, string action, CancellationToken ct) =>
        dbFactory.WriteAsync(async db =>
        {
            var membership = await FindMembershipAsync(db, organizationId, userId, ct);
            if (membership is null) return Error.NotFound("The member");
            var refused = await LastOwnerGuard.CheckAsync(db, organizationId, userId, self: userId == actor.Id, ct);
            if (refused is not null) return refused;
            var projectRoles = await db.RoleAssignments
                .Where(r => r.OrganizationId == organizationId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
                .ToListAsync(ct);
            db.RoleAssignments.RemoveRange(projectRoles);
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry(action, "user", userId,
                Before: new { Role = membership.Role.ToString(), ProjectRoles = projectRoles.Count(r => r.ProjectId != null) }), ct);
            return Result.Ok();
        }, ct);

    private static Task<RoleAssignment?> FindMembershipAsync(ApplicationDbContext db, Guid organizationId, string userId, CancellationToken ct) =>
        db.RoleAssignments.FirstOrDefaultAsync(r => r.OrganizationId == organizationId && r.ProjectId == null
            && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId, ct);
}
