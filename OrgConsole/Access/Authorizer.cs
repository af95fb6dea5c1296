using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Access;

/// <summary>
/// What the current actor may do in one organization, read fresh from the database. <see cref="Roles"/> is every
/// organization role the actor holds (SPEC §1.3a: bindings are a set; what it may do is their union); <see cref="Role"/>
/// is the most privileged of them, for labels.
/// </summary>
public sealed record OrgAccess(Guid OrganizationId, string OrganizationName, Plan Plan, Role Role, Actor Actor)
{
    public IReadOnlyList<Role> Roles { get; init; } = [Role];

    public bool IsOwner => Roles.Contains(Role.OrgOwner);

    public bool Can(Permission permission) => Roles.Any(role => RolePermissions.Grants(role, permission));
}

/// <summary>A principal's organization roles (none: not a member) in a live organization, as one query read them.</summary>
public sealed record Membership(Guid OrganizationId, string OrganizationName, Plan Plan, PrincipalType PrincipalType, string PrincipalId, IReadOnlyList<Role> Roles);

/// <summary>What the current actor may do in one project: the union of its project roles, or Project owner implicitly for an org owner.</summary>
public sealed record ProjectAccess(OrgAccess Organization, Guid ProjectId, Role? ProjectRole, bool ImplicitOwner)
{
    public Role? EffectiveRole => ImplicitOwner ? Role.ProjectOwner : ProjectRole;

    public IReadOnlyList<Role> ProjectRoles { get; init; } = ProjectRole is { } r ? [r] : [];

    public bool Can(Permission permission) =>
        ImplicitOwner ? RolePermissions.Grants(Role.ProjectOwner, permission) : ProjectRoles.Any(role => RolePermissions.Grants(role, permission));
}

/// <summary>
/// The one place that answers "may the current actor do this here?". Every feature service calls it first.
/// A missing or foreign membership is NotFound — an organization you do not belong to looks like one that
/// does not exist. Roles are read from the database on every call, so a role change counts on the very next action.
/// </summary>
public sealed class Authorizer(IDbContextFactory<ApplicationDbContext> dbFactory, ActorAccessor actorAccessor, TimeProvider time, KeptReadConnections keptReads)
{
    public Actor Actor => actorAccessor.Current;

    private Membership? _firstCheck;

    // Null unless this scope is one page request (RememberWithinThisRequest): then each organization's access, read once.
    private Dictionary<Guid, OrgAccess?>? _withinRequest;

    /// <summary>
    /// Lets the next access check (and only that one) use <paramref name="membership"/> instead of reading it: for a caller
    /// that has just read the actor's organization roles in the same query as its own check — the Admin API gate reads the
    /// token's account with its roles, so a request does not read them twice. The authorizer is request-scoped and this is
    /// consumed by the next check whatever it asks (a check for another organization or actor reads as usual), so nothing
    /// is remembered across requests and a role changed during the request counts at its next check.
    /// </summary>
    public void UseForFirstCheck(Membership membership) => _firstCheck = membership;

    /// <summary>
    /// For the scope of one request that renders a page (a GET): the layout, the page's permission policy, its shell and
    /// its prerendered body all ask about the same organization within a few milliseconds, and nothing in a page render
    /// changes roles, so the first answer serves them all (issue 17: a Members page read the viewer's roles six times).
    /// Only set by the request pipeline for page GETs: a circuit, an API request or a form post has a scope of its own and
    /// reads on every call, so a role change counts at the next click, request or page.
    /// </summary>
    public void RememberWithinThisRequest() => _withinRequest ??= [];

    public async Task<Result<OrgAccess>> DemandAsync(Guid organizationId, Permission permission, CancellationToken ct = default)
    {
        if (RolePermissions.IsProjectPermission(permission))
        {
            throw new ArgumentException($"{permission} is a project permission; pass the project id.", nameof(permission));
        }
        return Decide(await GetAccessAsync(organizationId, ct), permission);
    }

    /// <summary>One answer for both organization checks: not a member is NotFound, a missing permission Forbidden.</summary>
    private static Result<OrgAccess> Decide(OrgAccess? access, Permission permission)
    {
        if (access is null) return Error.NotFound("The organization");
        if (!access.Can(permission)) return Error.Forbidden($"This needs the {RolesThatCan(permission)} role.");
        return access;
    }

    /// <summary>
    /// The same check, reading the actor's roles on the caller's context (and its open connection) when it reads through
    /// EF Core: for a service whose reads follow at once on that context, so one call opens one connection (issue 17: a
    /// Members sort click paid for a second context and connection open just for this read). Without a context (null), or
    /// on SQLite's kept read connections, it reads as the plain check does. Roles are still read now, on every call.
    /// </summary>
    public async Task<Result<OrgAccess>> DemandAsync(ApplicationDbContext? db, Guid organizationId, Permission permission, CancellationToken ct = default)
    {
        if (RolePermissions.IsProjectPermission(permission))
        {
            throw new ArgumentException($"{permission} is a project permission; pass the project id.", nameof(permission));
        }
        return Decide(await GetAccessAsync(db, organizationId, ct), permission);
    }

    public async Task<Result<ProjectAccess>> DemandAsync(Guid organizationId, Guid projectId, Permission permission, CancellationToken ct = default)
    {
        if (!RolePermissions.IsProjectPermission(permission))
        {
            throw new ArgumentException($"{permission} is an organization permission.", nameof(permission));
        }
        var access = await GetProjectAccessAsync(organizationId, projectId, ct);
        if (access?.EffectiveRole is null) return Error.NotFound("The project");
        if (!access.Can(permission)) return Error.Forbidden($"This needs the {RolesThatCan(permission)} role.");
        return access;
    }

    /// <summary>The current actor's access to an organization, or null when it is not a member (or the organization is gone).</summary>
    public Task<OrgAccess?> GetAccessAsync(Guid organizationId, CancellationToken ct = default) => GetAccessAsync(null, organizationId, ct);

    /// <summary>As <see cref="GetAccessAsync(Guid, CancellationToken)"/>, reading on <paramref name="shared"/> when given (else on a context of its own).</summary>
    private async Task<OrgAccess?> GetAccessAsync(ApplicationDbContext? shared, Guid organizationId, CancellationToken ct)
    {
        if (_withinRequest is not { } remembered) return await ReadAccessAsync(shared, organizationId, ct);
        lock (remembered)
        {
            if (remembered.TryGetValue(organizationId, out var known)) return known;
        }
        var access = await ReadAccessAsync(shared, organizationId, ct);
        lock (remembered) remembered[organizationId] = access;
        return access;
    }

    private async Task<OrgAccess?> ReadAccessAsync(ApplicationDbContext? shared, Guid organizationId, CancellationToken ct)
    {
        var actor = actorAccessor.Current;
        if (actor.Type == ActorType.Support) return await SupportAccessAsync(actor, organizationId, ct);
        if (PrincipalTypeOf(actor) is not { } principalType) return null;
        // The request's first check may use the roles its gate read a moment ago (see UseForFirstCheck); any other reads them now.
        if (Interlocked.Exchange(ref _firstCheck, null) is { } read
            && read.OrganizationId == organizationId && read.PrincipalType == principalType && read.PrincipalId == actor.Id)
        {
            if (read.Roles.Count > 0) return AccessOf(organizationId, read.OrganizationName, read.Plan, read.Roles, actor);
        }
        else
        {
            var rows = await ReadMembershipAsync(shared, organizationId, principalType, actor.Id, ct);
            if (rows.Count > 0) return AccessOf(organizationId, rows[0].Name, rows[0].Plan, rows.Select(r => r.Role), actor);
        }
        // Not a member: perhaps support staff with a visit open (from another request, tab or an earlier page load).
        return actor.Type == ActorType.User ? await SupportAccessAsync(actor, organizationId, ct) : null;
    }

    private sealed record MembershipRow(string Name, Plan Plan, Role Role);

    /// <summary>
    /// The principal's organization roles in a live organization: on SQLite's kept connections when they serve this
    /// database (every console action and page asks this first, so it is a prepared statement re-run, not an EF Core query
    /// per call), else through EF Core on <paramref name="shared"/> or a context of its own.
    /// </summary>
    private async Task<List<MembershipRow>> ReadMembershipAsync(ApplicationDbContext? shared, Guid organizationId, PrincipalType principalType, string principalId, CancellationToken ct)
    {
        if (keptReads.Enabled) return await keptReads.ReadAsync(MembershipSql, (organizationId, principalType, principalId), BindMembership, ReadMembershipRows, ct);
        var own = shared is null ? await dbFactory.CreateDbContextAsync(ct) : null;
        var rows = new List<MembershipRow>(2);
        try
        {
            var db = shared ?? own!;
            await foreach (var row in MembershipQuery.For(db)(db, organizationId, principalType, principalId).WithCancellation(ct)) rows.Add(row);
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
        return rows;
    }

    private static OrgAccess AccessOf(Guid organizationId, string name, Plan plan, IEnumerable<Role> held, Actor actor)
    {
        var roles = Access.Roles.MostPrivilegedFirst(held);
        return new OrgAccess(organizationId, name, plan, roles[0], actor) { Roles = roles };
    }

    /// <summary>
    /// Support staff see an organization read-only while a visit they opened with a reason lasts (SPEC §8) — kept in the
    /// database, so a reload or a new tab continues it — and for as long as they hold the platform role, checked on every
    /// call, so revoking the role ends the visit at the next click. Inside, they act as support.
    /// </summary>
    private async Task<OrgAccess?> SupportAccessAsync(Actor actor, Guid organizationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visit = await ActiveVisitQuery.For(db)(db, actor.Id, organizationId, time.UtcNow());
        if (visit is null) return null;
        if (!await IsSupportStaffAsync(db, actor.Id, ct)) return null;
        var org = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => new { o.Name, o.Plan }).FirstOrDefaultAsync(ct);
        return org is null ? null : new OrgAccess(organizationId, org.Name, org.Plan, Role.SupportViewer,
            actor with { Type = ActorType.Support, Support = new SupportSession(organizationId, visit.Reason, visit.ExpiresAt) });
    }

    /// <summary>The staff member's open visit to an organization, if one has not expired.</summary>
    public static Task<SupportVisit?> ActiveVisitAsync(ApplicationDbContext db, string staffUserId, Guid organizationId, DateTime now) =>
        ActiveVisitQuery.For(db)(db, staffUserId, organizationId, now);

    private static readonly PerModelQuery<Func<ApplicationDbContext, string, Guid, DateTime, Task<SupportVisit?>>> ActiveVisitQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, string staffUserId, Guid organizationId, DateTime now) => db.SupportVisits.AsNoTracking()
            .Where(v => v.StaffUserId == staffUserId && v.OrganizationId == organizationId && v.ExpiresAt > now)
            .OrderByDescending(v => v.ExpiresAt).FirstOrDefault()));

    public static Task<bool> IsSupportStaffAsync(ApplicationDbContext db, string userId, CancellationToken ct) =>
        (from ur in db.UserRoles
         join r in db.Roles on ur.RoleId equals r.Id
         where ur.UserId == userId && r.NormalizedName == PlatformRoles.SupportNormalized
         select ur).AnyAsync(ct);

    // Every action of every page asks this first: compiled once (per model: SQLite and PostgreSQL each have their own) rather than translated per call.
    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, PrincipalType, string, IAsyncEnumerable<MembershipRow>>> MembershipQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, Guid organizationId, PrincipalType principalType, string principalId) =>
            from ra in db.RoleAssignments.AsNoTracking()
            join org in db.Organizations on ra.OrganizationId equals org.Id
            where ra.OrganizationId == organizationId && ra.ProjectId == null
                  && ra.PrincipalType == principalType && ra.PrincipalId == principalId
                  && org.DeletedAt == null
            select new MembershipRow(org.Name, org.Plan, ra.Role)));

    // The same read on SQLite's kept connections (KeptReadConnections): the SQL EF Core generates for MembershipQuery, values
    // bound as EF binds them. KeptMemberPagesTests run both paths and compare.
    private static readonly KeptQuery MembershipSql = new("""
        SELECT "o"."Name", "o"."Plan", "r"."Role"
        FROM "RoleAssignments" AS "r"
        INNER JOIN "Organizations" AS "o" ON "r"."OrganizationId" = "o"."Id"
        WHERE "r"."OrganizationId" = @organizationId AND "r"."ProjectId" IS NULL AND "r"."PrincipalType" = @principalType
          AND "r"."PrincipalId" = @principalId AND "o"."DeletedAt" IS NULL
        """, "@organizationId", "@principalType", "@principalId");

    private static void BindMembership(Microsoft.Data.Sqlite.SqliteParameterCollection parameters, (Guid Organization, PrincipalType PrincipalType, string PrincipalId) args)
    {
        parameters[0].Value = KeptSql.Guid(args.Organization);
        parameters[1].Value = args.PrincipalType.ToString();
        parameters[2].Value = args.PrincipalId;
    }

    private static List<MembershipRow> ReadMembershipRows(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        var rows = new List<MembershipRow>(2);
        while (reader.Read()) rows.Add(new MembershipRow(reader.GetString(0), KeptSql.Enum<Plan>(reader, 1), KeptSql.Enum<Role>(reader, 2)));
        return rows;
    }

    /// <summary>Which kind of role holder an actor is: people and service accounts hold roles; others hold none.</summary>
    public static PrincipalType? PrincipalTypeOf(Actor actor) => actor.Type switch
    {
        ActorType.User => PrincipalType.User,
        ActorType.ServiceAccount => PrincipalType.ServiceAccount,
        _ => null,
    };

    public async Task<ProjectAccess?> GetProjectAccessAsync(Guid organizationId, Guid projectId, CancellationToken ct = default)
    {
        var org = await GetAccessAsync(organizationId, ct);
        if (org is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projectExists = await db.Projects.AnyAsync(p => p.Id == projectId && p.OrganizationId == organizationId, ct);
        if (!projectExists) return null;
        // Support staff read every project of the organization they are visiting; they hold no project roles.
        if (org.Role == Role.SupportViewer) return new ProjectAccess(org, projectId, Role.SupportViewer, ImplicitOwner: false);
        var principalType = PrincipalTypeOf(org.Actor);
        var projectRoles = Access.Roles.MostPrivilegedFirst(await db.RoleAssignments
            .Where(ra => ra.OrganizationId == organizationId && ra.ProjectId == projectId
                         && ra.PrincipalType == principalType && ra.PrincipalId == org.Actor.Id)
            .Select(ra => ra.Role).ToListAsync(ct));
        return new ProjectAccess(org, projectId, projectRoles.Count == 0 ? null : projectRoles[0], ImplicitOwner: org.IsOwner) { ProjectRoles = projectRoles };
    }

    /// <summary>The role names that hold a permission, for "needs the … role" tooltips.</summary>
    public static string RolesThatCan(Permission permission)
    {
        var table = RolePermissions.IsProjectPermission(permission) ? RolePermissions.ProjectTable : RolePermissions.OrganizationTable;
        return string.Join(" or ", table.First(row => row.Permission == permission).Roles.Select(r => r.DisplayName()));
    }
}
