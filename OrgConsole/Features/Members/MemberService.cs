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

    /// <summary>One page of members, searched (name, email, role), sorted and paged in SQL.</summary>
    public async Task<Result<MemberPage>> SearchAsync(Guid organizationId, MemberQuery query, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error!;
        if (query.Page < 0 || query.PageSize is < 1 or > MemberQuery.MaxPageSize)
        {
            return Error.Validation("PageSize", $"Pages hold 1 to {MemberQuery.MaxPageSize} members.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filtered = Filter(db, organizationId, query.Search);
        // Unfiltered, the organization's member count (kept by triggers) spares counting 100,000 rows per page.
        var total = string.IsNullOrWhiteSpace(query.Search)
            ? await MemberCountQuery(db, organizationId)
            : await filtered.CountAsync(ct);
        var rows = await Sort(Project(db, organizationId, filtered), query)
            .Skip(query.Page * query.PageSize).Take(query.PageSize).ToListAsync(ct);
        return new MemberPage(rows.Select(r => r.ToItem()).ToList(), total);
    }

    private static readonly Func<ApplicationDbContext, Guid, Task<int>> MemberCountQuery =
        EF.CompileAsyncQuery((ApplicationDbContext db, Guid organizationId) => db.Organizations.Where(o => o.Id == organizationId).Select(o => o.MemberCount).First());

    /// <summary>Every member matching the search, in the chosen order, as CSV (for the export button).</summary>
    public async Task<Result<string>> ExportCsvAsync(Guid organizationId, MemberQuery query, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error!;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var csv = new System.Text.StringBuilder("name,email,role,projects,joined,last_active\n");
        await foreach (var m in Sort(Project(db, organizationId, Filter(db, organizationId, query.Search)), query).AsAsyncEnumerable().WithCancellation(ct))
        {
            csv.Append(Csv.Field(m.Name)).Append(',').Append(Csv.Field(m.Email)).Append(',').Append(Csv.Field(m.Role.DisplayName())).Append(',')
               .Append(m.ProjectCount).Append(',').Append(m.JoinedAt.ToString("O")).Append(',').Append(m.LastActiveAt?.ToString("O")).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>
    /// The organization's memberships, searched on the name and email cached on each row: filtering, counting,
    /// sorting and paging use the IX_Members_* indexes of this one table (no join until the page is chosen).
    /// </summary>
    private static IQueryable<RoleAssignment> Filter(ApplicationDbContext db, Guid organizationId, string? search)
    {
        var members = db.RoleAssignments.AsNoTracking()
            .Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User);
        var text = search?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text)) return members;
        var roles = Roles.OrganizationRoles.Where(role => role.DisplayName().ToUpperInvariant().Contains(text) || role.ToString().ToUpperInvariant() == text).ToList();
        if (text.Length < MemberSearchIndex.MinimumLength)
        {
            var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            return members.Where(r => EF.Functions.Like(r.PrincipalEmail!, pattern, "\\") || EF.Functions.Like(r.PrincipalName!, pattern, "\\") || roles.Contains(r.Role));
        }
        var org = organizationId.ToString().ToUpperInvariant();
        var matches = db.Database.SqlQuery<Guid>(
            $"SELECT \"AssignmentId\" AS \"Value\" FROM \"MemberSearch\" WHERE \"MemberSearch\" MATCH {MemberSearchIndex.Phrase(text)} AND \"OrganizationId\" = {org}");
        return members.Where(r => matches.Contains(r.Id) || roles.Contains(r.Role));
    }

    /// <summary>A member-init shape EF can sort on (a positional record cannot be ordered by in SQL).</summary>
    private sealed class Row
    {
        public required string UserId { get; init; }
        public required string Name { get; init; }
        public required string Email { get; init; }
        public Role Role { get; init; }
        public int ProjectCount { get; init; }
        public DateTime JoinedAt { get; init; }
        public DateTime? LastActiveAt { get; init; }

        public MemberListItem ToItem() => new(UserId, Name, Email, Role, ProjectCount, JoinedAt, LastActiveAt);
    }

    // SQLite computes the correlated columns only for the rows of the page when the order comes from an index.
    private static IQueryable<Row> Project(ApplicationDbContext db, Guid organizationId, IQueryable<RoleAssignment> members) =>
        members.Select(m => new Row
        {
            UserId = m.PrincipalId,
            Name = m.PrincipalName!,
            Email = m.PrincipalEmail!,
            Role = m.Role,
            ProjectCount = db.RoleAssignments.Count(p => p.PrincipalType == PrincipalType.User && p.PrincipalId == m.PrincipalId && p.OrganizationId == organizationId && p.ProjectId != null),
            JoinedAt = m.CreatedAt,
            LastActiveAt = db.Users.Where(u => u.Id == m.PrincipalId).Select(u => u.LastActiveAt).FirstOrDefault(),
        });

    private static IQueryable<Row> Sort(IQueryable<Row> items, MemberQuery query) => (query.Sort, query.Descending) switch
    {
        (MemberSort.Name, false) => items.OrderBy(m => m.Name).ThenBy(m => m.Email),
        (MemberSort.Name, true) => items.OrderByDescending(m => m.Name).ThenBy(m => m.Email),
        (MemberSort.Role, false) => items.OrderBy(m => m.Role).ThenBy(m => m.Email),
        (MemberSort.Role, true) => items.OrderByDescending(m => m.Role).ThenBy(m => m.Email),
        (MemberSort.Projects, false) => items.OrderBy(m => m.ProjectCount).ThenBy(m => m.Email),
        (MemberSort.Projects, true) => items.OrderByDescending(m => m.ProjectCount).ThenBy(m => m.Email),
        (MemberSort.Joined, false) => items.OrderBy(m => m.JoinedAt).ThenBy(m => m.Email),
        (MemberSort.Joined, true) => items.OrderByDescending(m => m.JoinedAt).ThenBy(m => m.Email),
        (MemberSort.LastActive, false) => items.OrderBy(m => m.LastActiveAt).ThenBy(m => m.Email),
        (MemberSort.LastActive, true) => items.OrderByDescending(m => m.LastActiveAt).ThenBy(m => m.Email),
        (_, true) => items.OrderByDescending(m => m.Email),
        _ => items.OrderBy(m => m.Email),
    };

    /// <summary>What changing a member's role would add and remove, for the confirmation dialog.</summary>
    public static RoleChangeSummary DescribeRoleChange(Role from, Role to) => RoleChangeSummary.Between(from, to);

    /// <summary>
    /// The guided ownership transfer: the current owner makes another member Owner and steps down to User, in one
    /// transaction, so the organization is never without an owner and never has a half-done transfer.
    /// </summary>
    public async Task<Result> TransferOwnershipAsync(Guid organizationId, string newOwnerUserId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error!;
        var actor = access.Value.Actor;
        if (newOwnerUserId == actor.Id) return Error.Validation("NewOwner", "Choose another member to hand ownership to.");

        return await dbFactory.WriteAsync(async db =>
        {
            var mine = await FindMembershipAsync(db, organizationId, actor.Id, ct);
            var theirs = await FindMembershipAsync(db, organizationId, newOwnerUserId, ct);
            if (mine is null || mine.Role != Role.OrgOwner) return Error.Forbidden("Only an owner can hand over ownership.");
            if (theirs is null) return Error.NotFound("The member");
            var theirBefore = theirs.Role;
            theirs.Role = Role.OrgOwner;
            mine.Role = Role.OrgMember;
            var org = await db.Organizations.FirstAsync(o => o.Id == organizationId, ct);
            org.Version = Guid.NewGuid();
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("organization.ownership_transferred", "user", newOwnerUserId,
                Before: new { NewOwnerRole = theirBefore.ToString(), PreviousOwner = actor.Id }, After: new { NewOwnerRole = Role.OrgOwner.ToString(), PreviousOwnerRole = Role.OrgMember.ToString() }), ct);
            return Result.Ok();
        }, ct);
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
