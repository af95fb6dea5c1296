using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Projects;

public sealed record ProjectSummary(Guid Id, string Name, DateTime CreatedAt, Role YourRole, bool ImplicitOwner, int MemberCount, int ApiKeyCount);

public sealed record ProjectDetails(Guid Id, Guid OrganizationId, string Name, DateTime CreatedAt, Role YourRole, bool ImplicitOwner);

public sealed record ProjectQuota(int Used, int Limit, Plan Plan)
{
    public bool IsFull => Used >= Limit;
}

/// <summary>Projects of an organization (SPEC §4). Org owners own every project; a project's creator owns it.</summary>
public sealed class ProjectService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time,
    KeptReadConnections keptReads)
{
    /// <summary>Org owners see every project; everyone else sees the projects they hold a role in.</summary>
    public async Task<Result<IReadOnlyList<ProjectSummary>>> ListAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        var userId = access.Value.Actor.Id;
        // Owners see every project (they own them all); so does support staff, read-only.
        var seesAll = access.Value.Role is Role.OrgOwner or Role.SupportViewer;
        List<ProjectListRow> rows;
        if (seesAll) rows = await ReadAllAsync(organizationId, ct);
        else if (Authorizer.PrincipalTypeOf(access.Value.Actor) is { } principalType) rows = await ReadHeldAsync(organizationId, principalType, userId, ct);
        else return Array.Empty<ProjectSummary>(); // an actor that holds no roles has no project of its own
        var implicitRole = access.Value.Role == Role.SupportViewer ? Role.SupportViewer : Role.ProjectOwner;
        return rows.Select(r => new ProjectSummary(r.Id, r.Name, r.CreatedAt, seesAll ? implicitRole : r.MyRole!.Value, access.Value.Role == Role.OrgOwner, r.Members, r.Keys)).ToList();
    }

    /// <summary>Every project of the organization: on SQLite's kept connections when they serve this database, else through EF Core.</summary>
    private async Task<List<ProjectListRow>> ReadAllAsync(Guid organizationId, CancellationToken ct)
    {
        if (keptReads.Enabled) return await keptReads.ReadAsync(AllProjectsSql, organizationId, static (p, org) => p[0].Value = KeptSql.Guid(org), ReadProjectRows, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ToListAsync(AllProjectsQuery.For(db)(db, organizationId), ct);
    }

    /// <summary>The projects the principal holds a role in, the same two ways.</summary>
    private async Task<List<ProjectListRow>> ReadHeldAsync(Guid organizationId, PrincipalType principalType, string principalId, CancellationToken ct)
    {
        if (keptReads.Enabled) return await keptReads.ReadAsync(ListSql, (organizationId, principalType, principalId), BindList, ReadProjectRows, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ToListAsync(ListQuery.For(db)(db, organizationId, principalType, principalId), ct);
    }

    private static async Task<List<ProjectListRow>> ToListAsync(IAsyncEnumerable<ProjectListRow> query, CancellationToken ct)
    {
        var rows = new List<ProjectListRow>();
        await foreach (var row in query.WithCancellation(ct)) rows.Add(row);
        return rows;
    }

    private sealed record ProjectListRow(Guid Id, string Name, DateTime CreatedAt, Role? MyRole, int Members, int Keys);

    // The Admin API's GET /admin/projects and the projects page run this on every call: compiled (per model), not translated each time.
    // The projects the caller holds a role in (those who see every project use AllProjectsQuery).
    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, PrincipalType, string, IAsyncEnumerable<ProjectListRow>>> ListQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, Guid organizationId, PrincipalType principalType, string userId) =>
            from p in db.Projects.AsNoTracking()
            where p.OrganizationId == organizationId
            let myRole = db.RoleAssignments.Where(r => r.ProjectId == p.Id && r.PrincipalType == principalType && r.PrincipalId == userId)
                .Select(r => (Role?)r.Role).FirstOrDefault()
            where myRole != null
            orderby p.Name
            select new ProjectListRow(p.Id, p.Name, p.CreatedAt, myRole,
                db.RoleAssignments.Count(r => r.ProjectId == p.Id && r.PrincipalType == PrincipalType.User),
                db.ApiKeys.Count(k => k.ProjectId == p.Id))));

    // The same list for those who see every project (owners, support): without the caller's-role subqueries, which SQLite
    // would otherwise parse and plan on every call (preparing the statement is most of its cost; see README, benchmark api).
    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, IAsyncEnumerable<ProjectListRow>>> AllProjectsQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, Guid organizationId) =>
            from p in db.Projects.AsNoTracking()
            where p.OrganizationId == organizationId
            orderby p.Name
            select new ProjectListRow(p.Id, p.Name, p.CreatedAt, null,
                db.RoleAssignments.Count(r => r.ProjectId == p.Id && r.PrincipalType == PrincipalType.User),
                db.ApiKeys.Count(k => k.ProjectId == p.Id))));

    // The two lists on SQLite's kept connections, prepared once per connection (KeptReadConnections): the SQL EF Core
    // generates for ListQuery and AllProjectsQuery, values bound as EF binds
    // them. KeptReadTests run both paths and compare.
    private static readonly KeptQuery ListSql = new("""
        SELECT "p"."Id", "p"."Name", "p"."CreatedAt", (
            SELECT "r"."Role"
            FROM "RoleAssignments" AS "r"
            WHERE "r"."ProjectId" = "p"."Id" AND "r"."PrincipalType" = @principalType AND "r"."PrincipalId" = @userId
            LIMIT 1), (
            SELECT COUNT(*)
            FROM "RoleAssignments" AS "r0"
            WHERE "r0"."ProjectId" = "p"."Id" AND "r0"."PrincipalType" = 'User'), (
            SELECT COUNT(*)
            FROM "ApiKeys" AS "a"
            WHERE "a"."ProjectId" = "p"."Id")
        FROM "Projects" AS "p"
        WHERE "p"."OrganizationId" = @organizationId AND (
            SELECT "r1"."Role"
            FROM "RoleAssignments" AS "r1"
            WHERE "r1"."ProjectId" = "p"."Id" AND "r1"."PrincipalType" = @principalType AND "r1"."PrincipalId" = @userId
            LIMIT 1) IS NOT NULL
        ORDER BY "p"."Name"
        """, "@organizationId", "@principalType", "@userId");

    private static readonly KeptQuery AllProjectsSql = new("""
        SELECT "p"."Id", "p"."Name", "p"."CreatedAt", NULL, (
            SELECT COUNT(*)
            FROM "RoleAssignments" AS "r"
            WHERE "r"."ProjectId" = "p"."Id" AND "r"."PrincipalType" = 'User'), (
            SELECT COUNT(*)
            FROM "ApiKeys" AS "a"
            WHERE "a"."ProjectId" = "p"."Id")
        FROM "Projects" AS "p"
        WHERE "p"."OrganizationId" = @organizationId
        ORDER BY "p"."Name"
        """, "@organizationId");

    private static void BindList(Microsoft.Data.Sqlite.SqliteParameterCollection parameters, (Guid Organization, PrincipalType PrincipalType, string UserId) args)
    {
        parameters[0].Value = KeptSql.Guid(args.Organization);
        parameters[1].Value = args.PrincipalType.ToString();
        parameters[2].Value = args.UserId;
    }

    private static List<ProjectListRow> ReadProjectRows(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        var rows = new List<ProjectListRow>();
        while (reader.Read())
        {
            rows.Add(new ProjectListRow(reader.GetGuid(0), reader.GetString(1), KeptSql.UtcDateTime(reader, 2),
                reader.IsDBNull(3) ? null : KeptSql.Enum<Role>(reader, 3), reader.GetInt32(4), reader.GetInt32(5)));
        }
        return rows;
    }

    public async Task<Result<ProjectQuota>> GetQuotaAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var used = await db.Projects.CountAsync(p => p.OrganizationId == organizationId, ct);
        return new ProjectQuota(used, PlanLimits.For(access.Value.Plan).MaxProjects, access.Value.Plan);
    }

    public async Task<Result<Guid>> CreateAsync(Guid organizationId, string? name, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.CreateProjects, ct);
        if (!access.IsSuccess) return access.Error;
        var validName = ProjectRules.ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;
        var actor = access.Value.Actor;

        return await dbFactory.WriteAsync<Guid>(async db =>
        {
            var org = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, ct);
            var limits = PlanLimits.For(org.Plan);
            var count = await db.Projects.CountAsync(p => p.OrganizationId == organizationId, ct);
            if (count >= limits.MaxProjects)
            {
                return Error.Quota($"The {org.Plan} plan allows {limits.MaxProjects} project{(limits.MaxProjects == 1 ? "" : "s")}, and this organization has {count}. " +
                                   "Delete a project or upgrade the plan to create another.");
            }
            var normalized = Project.Normalize(validName.Value);
            if (await db.Projects.AnyAsync(p => p.OrganizationId == organizationId && p.NormalizedName == normalized, ct))
            {
                return ProjectRules.DuplicateName(validName.Value);
            }
            var now = time.UtcNow();
            var project = new Project
            {
                Id = Guid.NewGuid(), OrganizationId = organizationId, Name = validName.Value, NormalizedName = normalized,
                CreatedAt = now, CreatedByUserId = actor.Id,
            };
            db.Projects.Add(project);
            // The creator owns what they create (org owners own it anyway, and are recorded as its creator-owner too).
            if (actor.Type == ActorType.ServiceAccount)
            {
                db.RoleAssignments.Add(new RoleAssignment
                {
                    OrganizationId = organizationId, ProjectId = project.Id, PrincipalType = PrincipalType.ServiceAccount,
                    PrincipalId = actor.Id, Role = Role.ProjectOwner, CreatedAt = now, PrincipalName = actor.Name,
                });
            }
            else
            {
                var creator = await db.Users.FirstAsync(u => u.Id == actor.Id, ct);
                db.RoleAssignments.Add(RoleAssignment.ForUser(creator, organizationId, Role.ProjectOwner, now, project.Id));
            }
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("project.created", "project", project.Id.ToString(),
                After: new { project.Name }, ProjectId: project.Id), ct);
            return project.Id;
        }, ct);
    }

    public async Task<Result<ProjectDetails>> GetAsync(Guid organizationId, Guid projectId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ViewProject, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == projectId, ct);
        return new ProjectDetails(project.Id, project.OrganizationId, project.Name, project.CreatedAt, access.Value.EffectiveRole!.Value, access.Value.ImplicitOwner);
    }

    public async Task<Result> RenameAsync(Guid organizationId, Guid projectId, string? name, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.UpdateProjectName, ct);
        if (!access.IsSuccess) return access.Error;
        var validName = ProjectRules.ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId && p.OrganizationId == organizationId, ct);
            if (project is null) return Error.NotFound("The project");
            if (project.Name == validName.Value) return Result.Ok();
            var normalized = Project.Normalize(validName.Value);
            if (await db.Projects.AnyAsync(p => p.OrganizationId == organizationId && p.NormalizedName == normalized && p.Id != projectId, ct))
            {
                return ProjectRules.DuplicateName(validName.Value);
            }
            var before = project.Name;
            project.Name = validName.Value;
            project.NormalizedName = normalized;
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("project.renamed", "project", projectId.ToString(),
                Before: new { Name = before }, After: new { project.Name }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Deletes a project with its API keys and role assignments. <paramref name="confirmationName"/> must repeat its name.</summary>
    public async Task<Result> DeleteAsync(Guid organizationId, Guid projectId, string? confirmationName, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.DeleteProject, ct);
        if (!access.IsSuccess) return access.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId && p.OrganizationId == organizationId, ct);
            if (project is null) return Error.NotFound("The project");
            if (!string.Equals(confirmationName?.Trim(), project.Name, StringComparison.Ordinal))
            {
                return Error.Validation("ConfirmationName", $"Type the project's name, {project.Name}, to confirm.");
            }
            var keys = await db.ApiKeys.Where(k => k.ProjectId == projectId).Select(k => k.Id.ToString()).ToListAsync(ct);
            // Role assignments on the project (people's and keys') and the keys themselves go with it.
            await db.RoleAssignments.Where(r => r.ProjectId == projectId).ExecuteDeleteAsync(ct);
            await db.ApiKeys.Where(k => k.ProjectId == projectId).ExecuteDeleteAsync(ct);
            db.Projects.Remove(project);
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("project.deleted", "project", projectId.ToString(),
                Before: new { project.Name, ApiKeys = keys.Count }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }
}
