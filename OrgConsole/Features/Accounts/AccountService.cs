using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Members;

namespace OrgConsole.Features.Accounts;

/// <summary>The signed-in person's own account: their display name, closing it.</summary>
public sealed class AccountService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    ActorAccessor actorAccessor,
    UserManager<ApplicationUser> users,
    AuditLog audit)
{
    /// <summary>
    /// Sets (or, when blank, clears) the signed-in person's display name. In the same transaction the name cached on
    /// their role assignments — the member lists and their search index — follows, and the change is audited in each
    /// of their organizations (SPEC §9).
    /// </summary>
    public async Task<Result<string?>> SetDisplayNameAsync(string? displayName, CancellationToken ct = default)
    {
        var actor = actorAccessor.Current;
        if (!actor.IsUser) return Error.Forbidden("Sign in to change your name.");
        var validated = DisplayNames.Validate(displayName);
        if (!validated.IsSuccess) return validated.Error;
        var name = validated.Value;

        return await dbFactory.WriteAsync<string?>(async db =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == actor.Id, ct);
            if (user is null) return Error.NotFound("Your account");
            var before = string.IsNullOrWhiteSpace(user.DisplayName) ? null : user.DisplayName;
            if (before == name) return Result<string?>.Ok(name);
            user.DisplayName = name;
            user.ConcurrencyStamp = Guid.NewGuid().ToString();
            await db.SaveChangesAsync(ct);
            await PrincipalLabels.RefreshUserAsync(db, user, ct);
            await AccountEvents.AppendAsync(db, audit, actor, user.Id, new AuditEntry("account.display_name_changed", "user", user.Id,
                Before: new { DisplayName = before }, After: new { DisplayName = name }), ct);
            return Result<string?>.Ok(name);
        }, ct);
    }

    /// <summary>
    /// Deletes the signed-in account in one transaction: its memberships and project roles go with it, each of its
    /// organizations records the deletion, and the account row (with its logins, passkeys and tokens) is removed — so
    /// every other session of it ends at its next check. Refused while the person is the only owner of an organization
    /// (SPEC §2, last-owner guard), naming the organizations and what to do.
    /// </summary>
    public async Task<Result> DeleteOwnAccountAsync(string? password, CancellationToken ct = default)
    {
        var actor = actorAccessor.Current;
        if (!actor.IsUser) return Error.Forbidden("Sign in to delete your account.");
        var user = await users.FindByIdAsync(actor.Id);
        if (user is null) return Error.NotFound("Your account");
        if (await users.HasPasswordAsync(user) && !await users.CheckPasswordAsync(user, password ?? ""))
        {
            return Error.Validation("Password", "Incorrect password.");
        }

        return await dbFactory.WriteAsync(async db =>
        {
            var memberships = await db.RoleAssignments
                .Where(r => r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id)
                .Join(db.Organizations, r => r.OrganizationId, o => o.Id, (r, o) => new { r.OrganizationId, o.Name, r.Role, o.DeletedAt })
                .ToListAsync(ct);
            var soleOwnerOf = new List<string>();
            foreach (var membership in memberships.Where(m => m.Role == Role.OrgOwner && m.DeletedAt is null))
            {
                if (await LastOwnerGuard.CheckAsync(db, membership.OrganizationId, user.Id, self: true, ct) is not null) soleOwnerOf.Add(membership.Name);
            }
            if (soleOwnerOf.Count > 0)
            {
                return Error.Conflict($"You are the only owner of {string.Join(", ", soleOwnerOf.Select(n => $"\"{n}\""))}. " +
                    "Promote another member to Owner there (or delete the organization) first, then delete your account.");
            }

            var roles = await db.RoleAssignments.Where(r => r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id).ToListAsync(ct);
            await AccountEvents.AppendAsync(db, audit, actor, user.Id, new AuditEntry("account.deleted", "user", user.Id,
                Before: new { user.Email, Organizations = memberships.Count, ProjectRoles = roles.Count(r => r.ProjectId != null) }), ct);
            // Set-based deletes, run now inside this transaction (the AccountCleanup trigger would race a tracked delete).
            await db.RoleAssignments.Where(r => r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id).ExecuteDeleteAsync(ct);
            await db.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync(ct); // logins, passkeys, tokens and claims cascade
            return Result.Ok();
        }, ct);
    }
}
