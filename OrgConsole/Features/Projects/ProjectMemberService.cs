using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Projects;

/// <summary>A person with access to a project. Org owners are listed as implicit owners: their access comes from the organization.</summary>
/// <summary>One project member (one row per person): <see cref="Role"/> the most privileged of <see cref="Roles"/>, every project role they hold.</summary>
public sealed record ProjectMemberRow(string UserId, string Name, string Email, Role Role, bool ImplicitOwner, DateTime? AddedAt, IReadOnlyList<Role>? Roles = null)
{
    public IReadOnlyList<Role> Roles { get; init; } = Roles ?? [Role];
}

public sealed record OrgMemberOption(string UserId, string Name, string Email);

/// <summary>Who may work in a project and with which project role (SPEC §1.2, §4).</summary>
public sealed class ProjectMemberService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time)
{
    public const string LastOwnerMessage =
        "This is the project's only Project owner. Make another member Project owner first, then try again.";

    public async Task<Result<IReadOnlyList<ProjectMemberRow>>> ListAsync(Guid organizationId, Guid projectId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ViewProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Names and emails come from the labels cached on the role assignments, as in the members list.
        var explicitRows = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User)
            .Select(r => new { Id = r.PrincipalId, Name = r.PrincipalName!, Email = r.PrincipalEmail!, r.Role, r.CreatedAt }).ToListAsync(ct);
        var orgOwners = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.Role == Role.OrgOwner)
            .Select(r => new { Id = r.PrincipalId, Name = r.PrincipalName!, Email = r.PrincipalEmail! }).ToListAsync(ct);

        var ownerIds = orgOwners.Select(o => o.Id).ToHashSet();
        // One row per person, with every project role they hold (bindings add up, SPEC §1.3a).
        var rows = orgOwners.DistinctBy(o => o.Id).Select(o => new ProjectMemberRow(o.Id, o.Name, o.Email, Role.ProjectOwner, ImplicitOwner: true,
                explicitRows.Where(e => e.Id == o.Id).Select(e => (DateTime?)e.CreatedAt).Min()))
            .Concat(explicitRows.Where(e => !ownerIds.Contains(e.Id)).GroupBy(e => e.Id)
                .Select(g =>
                {
                    var roles = Roles.MostPrivilegedFirst(g.Select(e => e.Role));
                    var first = g.First();
                    return new ProjectMemberRow(g.Key, first.Name, first.Email, roles[0], ImplicitOwner: false, g.Min(e => e.CreatedAt), roles);
                }))
            .OrderBy(r => r.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return rows;
    }

    /// <summary>Organization members who are not in the project yet (and are not org owners, who are in every project).</summary>
    public async Task<Result<IReadOnlyList<OrgMemberOption>>> ListCandidatesAsync(Guid organizationId, Guid projectId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ManageProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Members (each once, whatever roles they hold) who are not owners (those own every project) and not in the project yet.
        var rows = await (
            from u in db.Users
            where db.RoleAssignments.Any(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == u.Id)
                  && !db.RoleAssignments.Any(o => o.OrganizationId == organizationId && o.ProjectId == null && o.PrincipalType == PrincipalType.User
                                                  && o.PrincipalId == u.Id && o.Role == Role.OrgOwner)
                  && !db.RoleAssignments.Any(p => p.ProjectId == projectId && p.PrincipalType == PrincipalType.User && p.PrincipalId == u.Id)
            orderby u.Email
            select new OrgMemberOption(u.Id, u.DisplayName ?? u.Email!, u.Email!)).AsNoTracking().ToListAsync(ct);
        return rows;
    }

    public async Task<Result> AddAsync(Guid organizationId, Guid projectId, string userId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ManageProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;
        if (ValidateRole(role) is { } invalid) return invalid;

        return await dbFactory.WriteAsync(async db =>
        {
            var orgRole = await OrgRoleOfAsync(db, organizationId, userId, ct);
            if (orgRole is null) return Error.NotFound("The organization member");
            if (orgRole == Role.OrgOwner)
            {
                return Error.Conflict("Organization owners are Project owners of every project already.");
            }
            if (await ProjectRoleOfAsync(db, projectId, userId, ct) is not null)
            {
                return Error.Conflict("This person is already a member of the project. Change their role instead.");
            }
            var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
            db.RoleAssignments.Add(RoleAssignment.ForUser(user, organizationId, role, time.UtcNow(), projectId));
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("project.member_added", "user", userId,
                After: new { Role = role.ToString() }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    public async Task<Result> ChangeRoleAsync(Guid organizationId, Guid projectId, string userId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ManageProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;
        if (ValidateRole(role) is { } invalid) return invalid;

        return await dbFactory.WriteAsync(async db =>
        {
            // The console's change is a replace: afterwards the member holds exactly this project role.
            var held = await db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId).ToListAsync(ct);
            if (held.Count == 0) return Error.NotFound("The project member");
            if (held.Count == 1 && held[0].Role == role) return Result.Ok();
            if (role != Role.ProjectOwner && held.Any(r => r.Role == Role.ProjectOwner) && await IsLastExplicitOwnerAsync(db, projectId, userId, ct)) return Error.Conflict(LastOwnerMessage);
            var before = Roles.MostPrivilegedFirst(held.Select(r => r.Role))[0];
            if (held.All(r => r.Role != role))
            {
                var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
                db.RoleAssignments.Add(RoleAssignment.ForUser(user, organizationId, role, time.UtcNow(), projectId));
            }
            db.RoleAssignments.RemoveRange(held.Where(r => r.Role != role));
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("project.member_role_changed", "user", userId,
                Before: new { Role = before.ToString() }, After: new { Role = role.ToString() }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Binds one more project role to a member (SPEC §1.3a: bindings add up, the Admin API's create). Holding that very role
    /// already is a conflict; an org owner is Project owner of every project already.
    /// </summary>
    public async Task<Result> AddRoleAsync(Guid organizationId, Guid projectId, string userId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ManageProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;
        if (ValidateRole(role) is { } invalid) return invalid;

        return await dbFactory.WriteAsync(async db =>
        {
            var orgRole = await OrgRoleOfAsync(db, organizationId, userId, ct);
            if (orgRole is null) return Error.NotFound("The organization member");
            if (orgRole == Role.OrgOwner) return Error.Conflict("Organization owners are Project owners of every project already.");
            var held = await db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
                .Select(r => r.Role).ToListAsync(ct);
            if (held.Contains(role)) return Error.Conflict($"This person is already {role.DisplayName()} of the project.");
            var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
            db.RoleAssignments.Add(RoleAssignment.ForUser(user, organizationId, role, time.UtcNow(), projectId));
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry(held.Count == 0 ? "project.member_added" : "project.member_role_added",
                "user", userId, After: new { Role = role.ToString() }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Takes one project role away (the Admin API's delete), through the project's last-owner guard.</summary>
    public async Task<Result> RemoveRoleAsync(Guid organizationId, Guid projectId, string userId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.RemoveProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var held = await db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId).ToListAsync(ct);
            var binding = held.FirstOrDefault(r => r.Role == role);
            if (binding is null) return Error.NotFound("The role binding");
            if (role == Role.ProjectOwner && await IsLastExplicitOwnerAsync(db, projectId, userId, ct)) return Error.Conflict(LastOwnerMessage);
            db.RoleAssignments.Remove(binding);
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry(held.Count == 1 ? "project.member_removed" : "project.member_role_removed",
                "user", userId, Before: new { Role = role.ToString() }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    public async Task<Result> RemoveAsync(Guid organizationId, Guid projectId, string userId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.RemoveProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var held = await db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId).ToListAsync(ct);
            var assignment = held.OrderBy(r => r.Role).FirstOrDefault();
            if (assignment is null)
            {
                return await OrgRoleOfAsync(db, organizationId, userId, ct) == Role.OrgOwner
                    ? Error.Conflict("Organization owners are Project owners of every project; they cannot be removed from one. Change their organization role instead.")
                    : Error.NotFound("The project member");
            }
            if (assignment.Role == Role.ProjectOwner && await IsLastExplicitOwnerAsync(db, projectId, userId, ct)) return Error.Conflict(LastOwnerMessage);
            db.RoleAssignments.RemoveRange(held);
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("project.member_removed", "user", userId,
                Before: new { Role = assignment.Role.ToString() }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    private static Error? ValidateRole(Role role) => Roles.ScopeOf(role) == RoleScope.Project
        ? null
        : Error.Validation("Role", $"Choose a project role: {string.Join(" or ", Roles.ProjectRoles.Select(r => r.DisplayName()))}.");

    /// <summary>
    /// The project-level twin of the organization's last-owner guard: the last explicit Project owner cannot be
    /// demoted or removed from the project pages (org-level removal falls back to the org owners, who own every project).
    /// </summary>
    private static async Task<bool> IsLastExplicitOwnerAsync(ApplicationDbContext db, Guid projectId, string userId, CancellationToken ct)
    {
        var others = await db.RoleAssignments.CountAsync(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User
            && r.Role == Role.ProjectOwner && r.PrincipalId != userId, ct);
        if (others > 0)
        {
            var project = await db.Projects.FirstAsync(p => p.Id == projectId, ct);
            db.Touch(project); // concurrent owner changes on the project conflict rather than both commit
        }
        return others == 0;
    }

    private static Task<Role?> ProjectRoleOfAsync(ApplicationDbContext db, Guid projectId, string userId, CancellationToken ct) =>
        db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
            .Select(r => (Role?)r.Role).FirstOrDefaultAsync(ct);

    /// <summary>The member's most privileged organization role (they may hold several), or null for a non-member.</summary>
    private static Task<Role?> OrgRoleOfAsync(ApplicationDbContext db, Guid organizationId, string userId, CancellationToken ct) =>
        db.RoleAssignments.Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
            .OrderBy(r => r.Role == Role.OrgOwner ? 0 : r.Role == Role.OrgMember ? 1 : 2)
            .Select(r => (Role?)r.Role).FirstOrDefaultAsync(ct);
}
