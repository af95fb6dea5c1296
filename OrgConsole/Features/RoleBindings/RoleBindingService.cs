using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Features.Projects;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.Features.RoleBindings;

/// <summary>One role held by one principal on the organization (<see cref="ProjectId"/> null) or on a project.</summary>
public sealed record RoleBindingRow(Guid Id, PrincipalType PrincipalType, string PrincipalId, Guid? ProjectId, Role Role, DateTime CreatedAt);

/// <summary>Filters of the role-binding list; all combine with AND. <see cref="ProjectScope"/>: true project, false organization.</summary>
public sealed record RoleBindingFilter(PrincipalType? PrincipalType = null, string? PrincipalId = null, bool? ProjectScope = null, Guid? ProjectId = null, Role? Role = null);

/// <summary>
/// Role bindings (SPEC §1.3a) — the set of (principal, resource, role) rows behind every role — as the Admin API lists,
/// creates and deletes them: a view over the role assignments. Reads demand membership and show only what
/// the caller may see; every change goes through the feature service that owns it (members, project members, service
/// accounts, API keys), so the permission table, the last-owner guard and the audit trail apply unchanged.
/// </summary>
public sealed class RoleBindingService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    Authorizer authorizer,
    MemberService members,
    ProjectMemberService projectMembers,
    ServiceAccountService serviceAccounts,
    ApiKeyService apiKeys,
    InvitationService invitations)
{
    /// <summary>
    /// One page of the bindings the caller may see, filtered and paged in SQL: people's, service accounts' and API keys' bindings
    /// and — for callers who may invite — pending invites' in one UNION ALL query with one order (creation time, then principal,
    /// resource, role and id, so the order is total and pages neither repeat nor skip a binding).
    /// </summary>
    public async Task<Result<Slice<RoleBindingRow>>> ListAsync(Guid organizationId, RoleBindingFilter filter, int skip, int take, CancellationToken ct = default)
    {
        var visible = await VisibleAsync(organizationId, ct);
        if (!visible.IsSuccess) return visible.Error;
        if (skip < 0 || take is < 1 or > 1000) return Error.Validation("Limit", "Pages hold 1 to 1000 role bindings.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<ListedBinding>? query = null;
        if (filter.PrincipalType != PrincipalType.Invite)
        {
            var assigned = visible.Value.Query(db);
            if (filter.PrincipalType is { } type) assigned = assigned.Where(r => r.PrincipalType == type);
            if (filter.PrincipalId is { } principalId) assigned = assigned.Where(r => r.PrincipalId == principalId);
            if (filter.ProjectScope == false) assigned = assigned.Where(r => r.ProjectId == null);
            if (filter.ProjectScope == true) assigned = assigned.Where(r => r.ProjectId != null);
            if (filter.ProjectId is { } projectId) assigned = assigned.Where(r => r.ProjectId == projectId);
            if (filter.Role is { } role) assigned = assigned.Where(r => r.Role == role);
            query = assigned.Select(r => new ListedBinding
            {
                Id = r.Id, PrincipalType = r.PrincipalType, PrincipalId = r.PrincipalId, InvitationId = null, ProjectId = r.ProjectId, Role = r.Role, CreatedAt = r.CreatedAt,
            });
        }
        if (filter.PrincipalType is null or PrincipalType.Invite && visible.Value.SeesInvites && InviteFilter(filter, out var invitationId))
        {
            var invited = InvitationService.PendingBindings(db, organizationId);
            if (invitationId is { } one) invited = invited.Where(r => r.InvitationId == one);
            if (filter.ProjectScope == false) invited = invited.Where(r => r.ProjectId == null);
            if (filter.ProjectScope == true) invited = invited.Where(r => r.ProjectId != null);
            if (filter.ProjectId is { } projectId) invited = invited.Where(r => r.ProjectId == projectId);
            if (filter.Role is { } role) invited = invited.Where(r => r.Role == role);
            var invites = invited.Select(r => new ListedBinding
            {
                // No constant principal type here: PostgreSQL cannot match an untyped literal to the column's text (the row's type follows from InvitationId).
                Id = r.Id, PrincipalType = null, PrincipalId = null, InvitationId = r.InvitationId, ProjectId = r.ProjectId, Role = r.Role, CreatedAt = r.CreatedAt,
            });
            query = query is null ? invites : query.Concat(invites);
        }
        if (query is null) return new Slice<RoleBindingRow>([], false);
        var rows = await query
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.PrincipalId).ThenBy(r => r.InvitationId).ThenBy(r => r.ProjectId).ThenBy(r => r.Role).ThenBy(r => r.Id)
            .Skip(skip).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take)
            .Select(r => new RoleBindingRow(r.Id, r.PrincipalType ?? PrincipalType.Invite, r.PrincipalId ?? r.InvitationId!.Value.ToString(), r.ProjectId, r.Role, r.CreatedAt)).ToList();
        return new Slice<RoleBindingRow>(page, rows.Count > take);
    }

    /// <summary>An invite's principal id is its UUID; any other principal_id names no invite.</summary>
    private static bool InviteFilter(RoleBindingFilter filter, out Guid? invitationId)
    {
        invitationId = null;
        if (filter.PrincipalId is null) return true;
        if (!Guid.TryParse(filter.PrincipalId, out var parsed)) return false;
        invitationId = parsed;
        return true;
    }

    /// <summary>A row of the role-binding list: a role assignment's (<see cref="PrincipalId"/>) or a pending invite's (<see cref="InvitationId"/>).</summary>
    private sealed class ListedBinding
    {
        public Guid Id { get; init; }
        public PrincipalType? PrincipalType { get; init; }
        public string? PrincipalId { get; init; }
        public Guid? InvitationId { get; init; }
        public Guid? ProjectId { get; init; }
        public Role Role { get; init; }
        public DateTime CreatedAt { get; init; }
    }

    public async Task<Result<RoleBindingRow>> GetAsync(Guid organizationId, Guid bindingId, CancellationToken ct = default)
    {
        var visible = await VisibleAsync(organizationId, ct);
        if (!visible.IsSuccess) return visible.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await visible.Value.Query(db).Where(r => r.Id == bindingId)
            .Select(r => new RoleBindingRow(r.Id, r.PrincipalType, r.PrincipalId, r.ProjectId, r.Role, r.CreatedAt)).FirstOrDefaultAsync(ct);
        if (row is not null) return row;
        if (!visible.Value.SeesInvites) return Error.NotFound("The role binding");
        var invite = await InvitationService.PendingBindings(db, organizationId).Where(r => r.Id == bindingId)
            .Select(r => new { r.Id, r.InvitationId, r.ProjectId, r.Role, r.CreatedAt }).FirstOrDefaultAsync(ct);
        return invite is null
            ? Error.NotFound("The role binding")
            : new RoleBindingRow(invite.Id, PrincipalType.Invite, invite.InvitationId.ToString(), invite.ProjectId, invite.Role, invite.CreatedAt);
    }

    /// <summary>
    /// Grants a role. A person's organization bindings add up (another role is another binding, never a rewrite); binding
    /// the very role held already is a conflict.
    /// </summary>
    public async Task<Result<RoleBindingRow>> CreateAsync(Guid organizationId, PrincipalType principalType, string principalId, Guid? projectId, Role role, CancellationToken ct = default)
    {
        // No membership lookup of its own: the owning service's DemandAsync is the one (SPEC: one lookup per role change).
        var scope = Roles.ScopeOf(role);
        if (projectId is null && scope != RoleScope.Organization)
        {
            return Error.Validation("Role", $"{role} is a project role; give resource_type project and the project's id.");
        }
        if (projectId is not null && scope == RoleScope.Organization)
        {
            return Error.Validation("Role", $"{role} is an organization role; give resource_type organization.");
        }
        if (principalType != PrincipalType.ApiKey && scope == RoleScope.ApiKey)
        {
            return Error.Validation("Role", $"{role} is an API key role. People and service accounts hold {string.Join(", ", Roles.OrganizationRoles.Concat(Roles.ProjectRoles))}.");
        }
        if (principalType == PrincipalType.ApiKey && scope != RoleScope.ApiKey)
        {
            return Error.Validation("Role", $"API keys hold API key roles: {string.Join(", ", ApiKeyService.AllRoles)}.");
        }

        Result outcome;
        switch (principalType)
        {
            case PrincipalType.Invite:
            {
                if (!Guid.TryParse(principalId, out var invitationId)) return Error.NotFound("The invite");
                var added = await invitations.AddRoleAsync(organizationId, invitationId, projectId, role, ct);
                if (added.Error is { Kind: ErrorKind.Conflict }) return Duplicate();
                if (!added.IsSuccess) return added.Error;
                var b = added.Value;
                return new RoleBindingRow(b.Id, PrincipalType.Invite, b.InvitationId.ToString(), b.ProjectId, b.Role, b.CreatedAt);
            }
            case PrincipalType.User when projectId is null:
            {
                // The member service demands UpdateMemberRoles first: a caller who may not change roles learns nothing more.
                outcome = await members.AddRoleAsync(organizationId, principalId, role, ct);
                if (outcome.Error is { Kind: ErrorKind.NotFound }) return Error.NotFound("The user (people join an organization through an invite)");
                if (outcome.Error is { Kind: ErrorKind.Conflict }) return Duplicate();
                break;
            }
            case PrincipalType.User:
            {
                // Adds (never rewrites) a project binding; a duplicate is the service's conflict.
                outcome = await projectMembers.AddRoleAsync(organizationId, projectId!.Value, principalId, role, ct);
                break;
            }
            case PrincipalType.ServiceAccount:
            {
                if (!Guid.TryParse(principalId, out var accountId)) return Error.NotFound("The service account");
                if (projectId is null)
                {
                    outcome = await serviceAccounts.AddOrgRoleAsync(organizationId, accountId, role, ct);
                    if (outcome.Error is { Kind: ErrorKind.Conflict }) return Duplicate();
                }
                else
                {
                    outcome = await serviceAccounts.AddProjectRoleAsync(organizationId, accountId, projectId.Value, role, ct);
                }
                break;
            }
            default:
            {
                if (!Guid.TryParse(principalId, out var keyId)) return Error.NotFound("The API key");
                var key = await apiKeys.GetAsync(organizationId, keyId, ct);
                if (!key.IsSuccess) return key.Error;
                var may = await authorizer.DemandAsync(organizationId, key.Value.ProjectId, Permission.ManageApiKeys, ct);
                if (!may.IsSuccess) return may.Error;
                if (key.Value.ProjectId != projectId) return Error.Validation("ResourceId", "An API key holds roles only on its own project.");
                if (key.Value.Roles.Contains(role)) return Duplicate();
                outcome = await apiKeys.UpdateAsync(organizationId, key.Value.ProjectId, keyId, key.Value.Name, [.. key.Value.Roles, role], ct);
                break;
            }
        }
        if (!outcome.IsSuccess) return outcome.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.OrganizationId == organizationId && r.PrincipalType == principalType && r.PrincipalId == principalId && r.ProjectId == projectId && r.Role == role)
            .Select(r => new RoleBindingRow(r.Id, r.PrincipalType, r.PrincipalId, r.ProjectId, r.Role, r.CreatedAt)).FirstAsync(ct);
        return row;
    }

    /// <summary>Takes a role away, refusing (Conflict) what would leave a principal in an impossible state.</summary>
    public async Task<Result> DeleteAsync(Guid organizationId, Guid bindingId, CancellationToken ct = default)
    {
        // The owning service's DemandAsync is the one membership lookup; the binding is found without one.
        if (await FindAsync(organizationId, bindingId, ct) is not { } b) return Error.NotFound("The role binding");
        var outcome = await DeleteCoreAsync(organizationId, b, ct);
        if (outcome.Error is { Kind: ErrorKind.Forbidden })
        {
            // A binding the caller may not even see (another's service account) looks missing, never forbidden.
            var visible = await GetAsync(organizationId, bindingId, ct);
            if (!visible.IsSuccess) return visible.Error;
        }
        return outcome;
    }

    /// <summary>A binding of the organization by id — people's, service accounts', API keys' or an invite's — without authorizing.</summary>
    private async Task<RoleBindingRow?> FindAsync(Guid organizationId, Guid bindingId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.RoleAssignments.AsNoTracking().Where(r => r.Id == bindingId && r.OrganizationId == organizationId)
                   .Select(r => new RoleBindingRow(r.Id, r.PrincipalType, r.PrincipalId, r.ProjectId, r.Role, r.CreatedAt)).FirstOrDefaultAsync(ct)
               ?? await db.InvitationRoles.AsNoTracking().Where(r => r.Id == bindingId && r.OrganizationId == organizationId)
                   .Select(r => new RoleBindingRow(r.Id, PrincipalType.Invite, r.InvitationId.ToString(), r.ProjectId, r.Role, r.CreatedAt)).FirstOrDefaultAsync(ct);
    }

    private async Task<Result> DeleteCoreAsync(Guid organizationId, RoleBindingRow b, CancellationToken ct)
    {
        switch (b.PrincipalType)
        {
            case PrincipalType.Invite:
                return await invitations.RemoveRoleAsync(organizationId, b.Id, ct);
            case PrincipalType.User when b.ProjectId is null:
                // One binding of the set; the member service refuses the last owner's, and a last one while project roles remain.
                return await members.RemoveRoleAsync(organizationId, b.PrincipalId, b.Role, ct);
            case PrincipalType.User:
                return await projectMembers.RemoveRoleAsync(organizationId, b.ProjectId!.Value, b.PrincipalId, b.Role, ct);
            case PrincipalType.ServiceAccount when b.ProjectId is null:
                return await serviceAccounts.RemoveOrgRoleAsync(organizationId, Guid.Parse(b.PrincipalId), b.Role, ct);
            case PrincipalType.ServiceAccount:
                return await serviceAccounts.RemoveProjectRoleAsync(organizationId, Guid.Parse(b.PrincipalId), b.ProjectId!.Value, b.Role, ct);
            default:
            {
                var key = await apiKeys.GetAsync(organizationId, Guid.Parse(b.PrincipalId), ct);
                if (!key.IsSuccess) return key.Error;
                var remaining = key.Value.Roles.Where(r => r != b.Role).ToList();
                if (remaining.Count == 0) return Error.Conflict("This is the API key's only role; an API key needs at least one. Delete the key instead.");
                return await apiKeys.UpdateAsync(organizationId, key.Value.ProjectId, key.Value.Id, key.Value.Name, remaining, ct);
            }
        }
    }

    private static Error Duplicate() => Error.Conflict("The principal already holds this role on this resource.");

    /// <summary>What the caller may see: role assignments (a query) and whether pending invites' bindings too.</summary>
    private sealed record Visibility(Func<ApplicationDbContext, IQueryable<RoleAssignment>> Query, bool SeesInvites);

    /// <summary>
    /// What the caller may see: owners see every binding; other members see people's organization roles (the members list)
    /// and the bindings on projects they belong to, but not service accounts, which only owners manage. Invites' bindings are
    /// seen by those who may invite. One membership lookup.
    /// </summary>
    private async Task<Result<Visibility>> VisibleAsync(Guid organizationId, CancellationToken ct)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        var seesInvites = access.Value.Can(Permission.InviteMembers);
        if (access.Value.Role == Role.OrgOwner)
        {
            return new Visibility(db => db.RoleAssignments.AsNoTracking().Where(r => r.OrganizationId == organizationId), seesInvites);
        }
        var me = Authorizer.PrincipalTypeOf(access.Value.Actor);
        var myId = access.Value.Actor.Id;
        return new Visibility(db => db.RoleAssignments.AsNoTracking()
            .Where(r => r.OrganizationId == organizationId && r.PrincipalType != PrincipalType.ServiceAccount || r.OrganizationId == organizationId && r.PrincipalType == me && r.PrincipalId == myId)
            .Where(r => r.ProjectId == null
                ? r.PrincipalType == PrincipalType.User || r.PrincipalType == me && r.PrincipalId == myId
                : db.RoleAssignments.Any(mine => mine.ProjectId == r.ProjectId && mine.PrincipalType == me && mine.PrincipalId == myId)), seesInvites);
    }
}
