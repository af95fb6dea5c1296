using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Members;

/// <summary>A member: <see cref="Role"/> is the most privileged of <see cref="Roles"/> (role bindings are a set, SPEC §1.3a).</summary>
public sealed record MemberRow(string UserId, string Name, string Email, Role Role, DateTime JoinedAt)
{
    public IReadOnlyList<Role> Roles { get; init; } = [Role];
}

/// <summary>Organization membership: who belongs, with which role; every path that removes an owner goes through <see cref="LastOwnerGuard"/>.</summary>
public sealed class MemberService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time,
    KeptReadConnections keptReads)
{
    /// <summary>One member of the organization, by user id.</summary>
    public async Task<Result<MemberRow>> GetAsync(Guid organizationId, string userId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.RoleAssignments.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.ProjectId == null && m.PrincipalType == PrincipalType.User && m.PrincipalId == userId)
            .Select(m => new MemberRow(m.PrincipalId, m.PrincipalName!, m.PrincipalEmail!, m.Role, m.CreatedAt)).ToListAsync(ct);
        if (rows.Count == 0) return Error.NotFound("The member");
        var roles = Roles.MostPrivilegedFirst(rows.Select(r => r.Role));
        return rows.MinBy(r => r.Role)! with { Roles = roles, JoinedAt = rows.Min(r => r.JoinedAt) };
    }

    /// <summary>
    /// Members by email, after <paramref name="afterEmail"/> (keyset paging on the IX_Members_Email index, so page 1,000
    /// costs what page 1 costs); <paramref name="email"/> keeps only that address (case-insensitive).
    /// </summary>
    public async Task<Result<Slice<MemberRow>>> ListPageAsync(Guid organizationId, string? email, string? afterEmail, int take, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        if (take is < 1 or > MemberQuery.MaxPageSize) return Error.Validation("Limit", $"Pages hold 1 to {MemberQuery.MaxPageSize} members.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.RoleAssignments.AsNoTracking()
            // One row per member: their listing row (kept by the MemberListing triggers).
            .Where(m => m.OrganizationId == organizationId && m.ProjectId == null && m.PrincipalType == PrincipalType.User && m.IsListed);
        if (!string.IsNullOrEmpty(email))
        {
            var normalized = email.Trim().ToUpperInvariant();
            query = query.Where(m => m.PrincipalEmail!.ToUpper() == normalized);
        }
        if (afterEmail is not null) query = query.Where(m => string.Compare(m.PrincipalEmail, afterEmail) > 0);
        var rows = await query.OrderBy(m => m.PrincipalEmail).Take(take + 1)
            .Select(m => new MemberRow(m.PrincipalId, m.PrincipalName!, m.PrincipalEmail!, m.Role, m.CreatedAt)).ToListAsync(ct);
        return new Slice<MemberRow>(rows.Take(take).ToList(), rows.Count > take);
    }

    /// <summary>One page of members, searched (name, email, role), sorted and paged in SQL.</summary>
    public async Task<Result<MemberPage>> SearchAsync(Guid organizationId, MemberQuery query, CancellationToken ct = default)
    {
        // SQLite, the list unfiltered by offset — as it opens and after each sort click: the access check and the page are
        // prepared statements re-run on the kept read connections (issue 17), no EF Core context at all. Otherwise one
        // context and one connection for the whole call: the access check reads the viewer's roles on it, fresh, then the
        // page, the count and the page's roles follow on the same connection.
        var kept = keptReads.Enabled && string.IsNullOrWhiteSpace(query.Search) && (query.From is null || !MemberKeyset.Supports(query.Sort));
        await using var db = kept ? null : await dbFactory.CreateDbContextAsync(ct);
        if (db is not null) await db.Database.OpenConnectionAsync(ct);
        var access = await authorizer.DemandAsync(db, organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        if (Invalid(query) is { } error) return error;
        if (db is null) return await KeptPageAsync(organizationId, query, ct);
        if (query.From is { } keyset && MemberKeyset.Supports(query.Sort)) return await KeysetPageAsync(db, organizationId, query, keyset, ct);
        var items = new List<MemberListItem>(query.PageSize);
        if (string.IsNullOrWhiteSpace(query.Search))
        {
            await foreach (var row in PageQuery(db, query.Sort, query.Descending, db.Database.IsNpgsql())(db, organizationId, query.Page * query.PageSize, query.PageSize).WithCancellation(ct))
            {
                items.Add(row.ToItem());
            }
            // The organization's member count is kept by triggers: no counting 100,000 rows per page.
            var count = TotalFromPage(query, items.Count) ?? await MemberCountQuery.For(db)(db, organizationId);
            return new MemberPage(await WithAllRolesAsync(db, organizationId, items, ct), count);
        }
        var postgres = db.Database.IsNpgsql();
        if (SearchPhrase(query.Search, postgres) is { } phrase)
        {
            // A plain text search (the usual case): compiled, on the trigram index (SQLite FTS5, PostgreSQL pg_trgm).
            await foreach (var row in SearchPageQuery(db, query.Sort, query.Descending, postgres)(db, organizationId, phrase, query.Page * query.PageSize, query.PageSize).WithCancellation(ct))
            {
                items.Add(row.ToItem());
            }
            var matching = TotalFromPage(query, items.Count) ?? await (postgres ? SearchCountQueryPostgres : SearchCountQuery).For(db)(db, organizationId, phrase);
            return new MemberPage(await WithAllRolesAsync(db, organizationId, items, ct), matching);
        }
        var filtered = Filter(db, organizationId, query.Search);
        var rows = await Sort(filtered, query).Skip(query.Page * query.PageSize).Take(query.PageSize).ToListAsync(ct);
        var total = TotalFromPage(query, rows.Count) ?? await filtered.CountAsync(ct);
        return new MemberPage(await WithAllRolesAsync(db, organizationId, rows.Select(r => r.ToItem()).ToList(), ct), total);
    }

    private static Error? Invalid(MemberQuery query)
    {
        if (!Enum.IsDefined(query.Sort)) return Error.Validation("Sort", "Sort by name, email, role, projects, joined or last active.");
        if (query.Page < 0 || query.PageSize is < 1 or > MemberQuery.MaxPageSize)
        {
            return Error.Validation("PageSize", $"Pages hold 1 to {MemberQuery.MaxPageSize} members.");
        }
        if (query.From is { } from && (from.Email is null || from.Name is null))
        {
            return Error.Validation("From", "A page must start at a member's email and name.");
        }
        return null;
    }

    /// <summary>
    /// An unfiltered page by offset on SQLite's kept read connections: one prepared statement per order and direction,
    /// which reads the page and each listed member's every organization role (for the page's rows only) in one run; the
    /// total, when the page does not give it, from the organization's kept member count.
    /// </summary>
    private async Task<MemberPage> KeptPageAsync(Guid organizationId, MemberQuery query, CancellationToken ct)
    {
        var sql = KeptPageSql[(int)query.Sort * 2 + (query.Descending ? 1 : 0)];
        var items = await keptReads.ReadAsync(sql, (organizationId, query.Page * query.PageSize, query.PageSize), BindKeptPage, ReadKeptPage, ct);
        var total = TotalFromPage(query, items.Count)
            ?? await keptReads.ReadAsync(KeptCountSql, organizationId, static (p, org) => p[0].Value = KeptSql.Guid(org), static r => r.Read() ? r.GetInt32(0) : 0, ct);
        return new MemberPage(items, total);
    }

    /// <summary>
    /// The SQL of <see cref="MemberRows"/>, <see cref="Ordered"/> and <see cref="WithAllRolesAsync"/> for one order, as EF
    /// Core's SQLite provider writes them: the page is chosen on the order's IX_Members_* index, its correlated columns
    /// computed for its rows only, then each row's organization roles (a comma list) beside it. The inner columns are named
    /// as the order names them, so one ORDER BY serves both levels. KeptMemberPagesTests compare it with the EF Core path.
    /// </summary>
    private static KeptQuery KeptPageQuery(MemberSort sort, bool descending)
    {
        var key = sort switch
        {
            MemberSort.Email => "Email",
            MemberSort.Name => "Name",
            MemberSort.Role => "Role",
            MemberSort.Projects => "ProjectCount",
            MemberSort.Joined => "JoinedAt",
            MemberSort.LastActive => "LastActiveAt",
            _ => throw new ArgumentOutOfRangeException(nameof(sort)),
        };
        // As Ordered: the key in the chosen direction, then email ascending (unless the key is the email).
        var orderBy = $"\"{key}\"{(descending ? " DESC" : "")}" + (sort == MemberSort.Email ? "" : ", \"Email\"");
        return new KeptQuery($"""
            SELECT "page".*, (
                SELECT group_concat("o"."Role")
                FROM "RoleAssignments" AS "o"
                WHERE "o"."OrganizationId" = @organizationId AND "o"."ProjectId" IS NULL AND "o"."PrincipalType" = 'User' AND "o"."PrincipalId" = "page"."UserId")
            FROM (
                SELECT "m"."PrincipalId" AS "UserId", "m"."PrincipalName" AS "Name", "m"."PrincipalEmail" AS "Email", "m"."Role" AS "Role", (
                    SELECT COUNT(*)
                    FROM "RoleAssignments" AS "p"
                    WHERE "p"."PrincipalType" = 'User' AND "p"."PrincipalId" = "m"."PrincipalId" AND "p"."OrganizationId" = @organizationId AND "p"."ProjectId" IS NOT NULL) AS "ProjectCount",
                    "m"."CreatedAt" AS "JoinedAt", (
                    SELECT "u"."LastActiveAt"
                    FROM "AspNetUsers" AS "u"
                    WHERE "u"."Id" = "m"."PrincipalId") AS "LastActiveAt"
                FROM "RoleAssignments" AS "m"
                WHERE "m"."OrganizationId" = @organizationId AND "m"."ProjectId" IS NULL AND "m"."PrincipalType" = 'User' AND "m"."IsListed"
                ORDER BY {orderBy}
                LIMIT @take OFFSET @skip
            ) AS "page"
            ORDER BY {orderBy}
            """, "@organizationId", "@skip", "@take");
    }

    /// <summary>One kept page query per order and direction, at <c>(int)sort * 2 + (descending ? 1 : 0)</c>.</summary>
    private static readonly KeptQuery[] KeptPageSql = Enum.GetValues<MemberSort>().OrderBy(s => (int)s)
        .SelectMany(sort => new[] { KeptPageQuery(sort, descending: false), KeptPageQuery(sort, descending: true) }).ToArray();

    private static readonly KeptQuery KeptCountSql = new("""
        SELECT "o"."MemberCount"
        FROM "Organizations" AS "o"
        WHERE "o"."Id" = @organizationId
        """, "@organizationId");

    private static void BindKeptPage(Microsoft.Data.Sqlite.SqliteParameterCollection parameters, (Guid Organization, int Skip, int Take) args)
    {
        parameters[0].Value = KeptSql.Guid(args.Organization);
        parameters[1].Value = args.Skip;
        parameters[2].Value = args.Take;
    }

    private static List<MemberListItem> ReadKeptPage(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        var items = new List<MemberListItem>();
        while (reader.Read())
        {
            var role = KeptSql.Enum<Role>(reader, 3);
            var roles = reader.IsDBNull(7) ? Roles.Only(role) : KeptSql.RolesByName(reader.GetString(7));
            items.Add(new MemberListItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), role, reader.GetInt32(4),
                KeptSql.UtcDateTime(reader, 5), reader.IsDBNull(6) ? null : KeptSql.UtcDateTime(reader, 6)) { Roles = roles });
        }
        return items;
    }

    /// <summary>
    /// A page by offset that comes back short is the list's last: its total is the offset plus its rows, no count needed —
    /// the usual case for a search, and for every organization with fewer members than a page. An empty page past the
    /// first proves nothing (the list may have shrunk): then the total is counted.
    /// </summary>
    internal static int? TotalFromPage(MemberQuery query, int rows) =>
        rows < query.PageSize && (rows > 0 || query.Page == 0) ? query.Page * query.PageSize + rows : null;

    /// <summary>
    /// Next or previous page by keyset: the rows just past the edge member in the sort order (its key, then email), a
    /// range seek on the order's IX_Members_* index whatever the depth. A previous page reads backwards, then flips.
    /// </summary>
    private static async Task<Result<MemberPage>> KeysetPageAsync(ApplicationDbContext db, Guid organizationId, MemberQuery query, MemberKeyset from, CancellationToken ct)
    {
        var items = new List<MemberListItem>(query.PageSize);
        int total;
        if (string.IsNullOrWhiteSpace(query.Search))
        {
            total = await MemberCountQuery.For(db)(db, organizationId);
            var page = KeysetQuery(db, query.Sort, query.Descending, from.Forward)(db, organizationId, from.Name, from.JoinedAt, from.Email, query.PageSize);
            await foreach (var row in page.WithCancellation(ct)) items.Add(row.ToItem());
        }
        else if (SearchPhrase(query.Search, db.Database.IsNpgsql()) is { } phrase)
        {
            var postgres = db.Database.IsNpgsql();
            total = await (postgres ? SearchCountQueryPostgres : SearchCountQuery).For(db)(db, organizationId, phrase);
            var page = SearchKeysetQuery(db, query.Sort, query.Descending, from.Forward, postgres)(db, organizationId, phrase, from.Name, from.JoinedAt, from.Email, query.PageSize);
            await foreach (var row in page.WithCancellation(ct)) items.Add(row.ToItem());
        }
        else
        {
            var filtered = Filter(db, organizationId, query.Search);
            total = await filtered.CountAsync(ct);
            var keyset = new KeysetValues(from.Name, from.JoinedAt, from.Email);
            var past = PastKeyset(filtered.Expression, query.Sort, query.Descending, from.Forward,
                Expression.Property(Expression.Constant(keyset), nameof(KeysetValues.Name)), Expression.Property(Expression.Constant(keyset), nameof(KeysetValues.JoinedAt)),
                Expression.Property(Expression.Constant(keyset), nameof(KeysetValues.Email)));
            var ordered = filtered.Provider.CreateQuery<Row>(Ordered(past, query.Sort, query.Descending, reverse: !from.Forward));
            items.AddRange((await ordered.Take(query.PageSize).ToListAsync(ct)).Select(r => r.ToItem()));
        }
        if (!from.Forward) items.Reverse();
        return new MemberPage(await WithAllRolesAsync(db, organizationId, items, ct), total);
    }

    private sealed record KeysetValues(string Name, DateTime JoinedAt, string Email);

    private static readonly System.Reflection.MethodInfo CompareStrings = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <summary>
    /// The rows past the keyset in the order (<paramref name="forward"/>) or before it: key beyond the edge's, or equal
    /// with the email (the tie-break, always ascending) beyond. Written as <c>key ≥ K AND (key &gt; K OR email &gt; E)</c>
    /// so SQLite seeks to K on the index instead of scanning from the start.
    /// </summary>
    private static Expression PastKeyset(Expression rows, MemberSort sort, bool descending, bool forward, Expression name, Expression joinedAt, Expression email)
    {
        var row = Expression.Parameter(typeof(Row), "m");
        static Expression Beyond(Expression member, Expression value, bool greater, bool orEqual)
        {
            var (left, right) = member.Type == typeof(string)
                ? ((Expression)Expression.Call(CompareStrings, member, value), (Expression)Expression.Constant(0))
                : (member, value);
            return greater
                ? orEqual ? Expression.GreaterThanOrEqual(left, right) : Expression.GreaterThan(left, right)
                : orEqual ? Expression.LessThanOrEqual(left, right) : Expression.LessThan(left, right);
        }
        var byEmail = Expression.Property(row, nameof(Row.Email));
        var up = forward != descending;
        Expression body;
        if (sort == MemberSort.Email)
        {
            body = Beyond(byEmail, email, up, orEqual: false);
        }
        else
        {
            var (key, value) = sort == MemberSort.Joined
                ? (Expression.Property(row, nameof(Row.JoinedAt)), joinedAt)
                : (Expression.Property(row, nameof(Row.Name)), name);
            body = Expression.AndAlso(Beyond(key, value, up, orEqual: true),
                Expression.OrElse(Beyond(key, value, up, orEqual: false), Beyond(byEmail, email, forward, orEqual: false)));
        }
        return Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(Row)], rows, Expression.Quote(Expression.Lambda<Func<Row, bool>>(body, row)));
    }

    private static readonly ParameterExpression KeyName = Expression.Parameter(typeof(string), "name");
    private static readonly ParameterExpression KeyJoined = Expression.Parameter(typeof(DateTime), "joinedAt");
    private static readonly ParameterExpression KeyEmail = Expression.Parameter(typeof(string), "email");
    private static readonly ParameterExpression TakeParameter = Expression.Parameter(typeof(int), "take");

    private static readonly ConcurrentDictionary<(MemberSort, bool, bool), PerModelQuery<Func<ApplicationDbContext, Guid, string, DateTime, string, int, IAsyncEnumerable<Row>>>> KeysetQueries = new();
    private static readonly ConcurrentDictionary<(MemberSort, bool, bool, bool), PerModelQuery<Func<ApplicationDbContext, Guid, string, string, DateTime, string, int, IAsyncEnumerable<Row>>>> SearchKeysetQueries = new();

    private static Expression KeysetPage(Expression rows, MemberSort sort, bool descending, bool forward) =>
        Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(Row)],
            Ordered(PastKeyset(rows, sort, descending, forward, KeyName, KeyJoined, KeyEmail), sort, descending, reverse: !forward), TakeParameter);

    private static Func<ApplicationDbContext, Guid, string, DateTime, string, int, IAsyncEnumerable<Row>> KeysetQuery(ApplicationDbContext db, MemberSort sort, bool descending, bool forward) =>
        KeysetQueries.GetOrAdd((sort, descending, forward), key => PerModelQuery.Compile(() => EF.CompileAsyncQuery(
            Expression.Lambda<Func<ApplicationDbContext, Guid, string, DateTime, string, int, IQueryable<Row>>>(KeysetPage(MemberRows.Body, key.Item1, key.Item2, key.Item3),
                MemberRows.Parameters[0], MemberRows.Parameters[1], KeyName, KeyJoined, KeyEmail, TakeParameter)))).For(db);

    private static Func<ApplicationDbContext, Guid, string, string, DateTime, string, int, IAsyncEnumerable<Row>> SearchKeysetQuery(ApplicationDbContext db, MemberSort sort, bool descending, bool forward, bool postgres) =>
        SearchKeysetQueries.GetOrAdd((sort, descending, forward, postgres), key => PerModelQuery.Compile(() => EF.CompileAsyncQuery(
            Expression.Lambda<Func<ApplicationDbContext, Guid, string, string, DateTime, string, int, IQueryable<Row>>>(KeysetPage(SearchedRows(key.Item4), key.Item1, key.Item2, key.Item3),
                MemberRows.Parameters[0], MemberRows.Parameters[1], PhraseParameter, KeyName, KeyJoined, KeyEmail, TakeParameter)))).For(db);

    /// <summary>
    /// Each listed member's every organization role (the page query reads one row per member, its most privileged role):
    /// one indexed lookup for the page's members.
    /// </summary>
    private static async Task<IReadOnlyList<MemberListItem>> WithAllRolesAsync(ApplicationDbContext db, Guid organizationId, List<MemberListItem> items, CancellationToken ct)
    {
        if (items.Count == 0) return items;
        var ids = items.Select(i => i.UserId).ToArray();
        var rows = new List<(string PrincipalId, Role Role)>(items.Count + 4);
        await foreach (var r in RolesOfQuery.For(db)(db, organizationId, ids).WithCancellation(ct)) rows.Add((r.PrincipalId, r.Role));
        var held = rows.ToLookup(r => r.PrincipalId, r => r.Role);
        return items.Select(i => i with { Roles = Roles.MostPrivilegedFirst(held[i.UserId].DefaultIfEmpty(i.Role)) }).ToList();
    }

    private sealed record HeldRole(string PrincipalId, Role Role);

    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, string[], IAsyncEnumerable<HeldRole>>> RolesOfQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, Guid organizationId, string[] ids) => db.RoleAssignments.AsNoTracking()
            .Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User && ids.Contains(r.PrincipalId))
            .Select(r => new HeldRole(r.PrincipalId, r.Role))));

    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, Task<int>>> MemberCountQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, Guid organizationId) => db.Organizations.Where(o => o.Id == organizationId).Select(o => o.MemberCount).First()));

    /// <summary>Every member matching the search, in the chosen order, as CSV (for the export button).</summary>
    public async Task<Result<string>> ExportCsvAsync(Guid organizationId, MemberQuery query, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var held = (await db.RoleAssignments.AsNoTracking()
                .Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User)
                .Select(r => new { r.PrincipalId, r.Role }).ToListAsync(ct))
            .ToLookup(r => r.PrincipalId, r => r.Role);
        var csv = new System.Text.StringBuilder("name,email,role,projects,joined,last_active\n");
        await foreach (var m in Sort(Filter(db, organizationId, query.Search), query).AsAsyncEnumerable().WithCancellation(ct))
        {
            var roles = string.Join(" + ", Roles.MostPrivilegedFirst(held[m.UserId].DefaultIfEmpty(m.Role)).Select(r => r.DisplayName()));
            csv.Append(Csv.Field(m.Name)).Append(',').Append(Csv.Field(m.Email)).Append(',').Append(Csv.Field(roles)).Append(',')
               .Append(m.ProjectCount).Append(',').Append(m.JoinedAt.ToString("O")).Append(',').Append(m.LastActiveAt?.ToString("O")).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>A member-init shape EF can sort on (a positional record cannot be ordered by in SQL).</summary>
    private sealed class Row
    {
        public Guid AssignmentId { get; init; }
        public required string UserId { get; init; }
        public required string Name { get; init; }
        public required string Email { get; init; }
        public Role Role { get; init; }
        public int ProjectCount { get; init; }
        public DateTime JoinedAt { get; init; }
        public DateTime? LastActiveAt { get; init; }

        public MemberListItem ToItem() => new(UserId, Name, Email, Role, ProjectCount, JoinedAt, LastActiveAt);
    }

    /// <summary>
    /// An organization's members, read from the name and email cached on each membership row: filtering, counting,
    /// sorting and paging run on the IX_Members_* indexes of that one table. SQLite computes the correlated columns
    /// (projects, last active) only for the rows of the page when the order comes from an index.
    /// </summary>
    private static readonly Expression<Func<ApplicationDbContext, Guid, IQueryable<Row>>> MemberRows = (db, organizationId) =>
        db.RoleAssignments.AsNoTracking()
            // One row per member (they may hold several organization roles): the row of their most privileged role, which
            // the MemberListing triggers mark, so the IX_Members_* indexes hold exactly one row per person.
            .Where(m => m.OrganizationId == organizationId && m.ProjectId == null && m.PrincipalType == PrincipalType.User && m.IsListed)
            .Select(m => new Row
            {
                AssignmentId = m.Id,
                UserId = m.PrincipalId,
                Name = m.PrincipalName!,
                Email = m.PrincipalEmail!,
                Role = m.Role,
                ProjectCount = db.RoleAssignments.Count(p => p.PrincipalType == PrincipalType.User && p.PrincipalId == m.PrincipalId && p.OrganizationId == organizationId && p.ProjectId != null),
                JoinedAt = m.CreatedAt,
                LastActiveAt = db.Users.Where(u => u.Id == m.PrincipalId).Select(u => u.LastActiveAt).FirstOrDefault(),
            });

    private static readonly Func<ApplicationDbContext, Guid, IQueryable<Row>> MemberRowsOf = MemberRows.Compile();

    /// <summary>The full-text phrase for a search that names no role and is long enough for the trigram index; else null.</summary>
    private static string? SearchPhrase(string? search, bool postgres)
    {
        var text = search?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text) || text.Length < MemberSearchIndex.MinimumLength) return null;
        if (Roles.OrganizationRoles.Any(role => role.DisplayName().ToUpperInvariant().Contains(text) || role.ToString().ToUpperInvariant() == text)) return null;
        return postgres ? MemberSearchIndex.ContainsPattern(text) : MemberSearchIndex.Phrase(text);
    }

    /// <summary>Members matching a search: trigram full-text on name and email (three characters or more), or a role name.</summary>
    private static IQueryable<Row> Filter(ApplicationDbContext db, Guid organizationId, string? search)
    {
        var members = MemberRowsOf(db, organizationId);
        var text = search?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text)) return members;
        var roles = Roles.OrganizationRoles.Where(role => role.DisplayName().ToUpperInvariant().Contains(text) || role.ToString().ToUpperInvariant() == text).ToList();
        if (db.Database.IsNpgsql())
        {
            // PostgreSQL: case-insensitive "contains" on the pg_trgm GIN index (a scan below three characters).
            var contains = MemberSearchIndex.ContainsPattern(text);
            return members.Where(r => EF.Functions.ILike(r.Email, contains, "\\") || EF.Functions.ILike(r.Name, contains, "\\") || roles.Contains(r.Role));
        }
        if (text.Length < MemberSearchIndex.MinimumLength)
        {
            var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            return members.Where(r => EF.Functions.Like(r.Email, pattern, "\\") || EF.Functions.Like(r.Name, pattern, "\\") || HoldsAny(db, organizationId, roles).Contains(r.UserId));
        }
        var phrase = MemberSearchIndex.Phrase(text);
        var matches = db.SearchMembers(phrase).Select(h => h.AssignmentId);
        return roles.Count == 0
            ? members.Where(r => matches.Contains(r.AssignmentId))
            : members.Where(r => matches.Contains(r.AssignmentId) || HoldsAny(db, organizationId, roles).Contains(r.UserId));
    }

    private static IQueryable<string> HoldsAny(ApplicationDbContext db, Guid organizationId, List<Role> roles) =>
        db.RoleAssignments.Where(o => o.OrganizationId == organizationId && o.ProjectId == null && o.PrincipalType == PrincipalType.User && roles.Contains(o.Role))
            .Select(o => o.PrincipalId);

    private static IQueryable<Row> Sort(IQueryable<Row> items, MemberQuery query) =>
        items.Provider.CreateQuery<Row>(Ordered(items.Expression, query.Sort, query.Descending));

    /// <summary>
    /// The one definition of each sort order: by its column, then by email so pages never overlap;
    /// <paramref name="reverse"/> reads the same order backwards (a keyset's previous page).
    /// </summary>
    private static Expression Ordered(Expression rows, MemberSort sort, bool descending, bool reverse = false)
    {
        LambdaExpression key = sort switch
        {
            MemberSort.Name => (Expression<Func<Row, string>>)(m => m.Name),
            MemberSort.Role => (Expression<Func<Row, Role>>)(m => m.Role),
            MemberSort.Projects => (Expression<Func<Row, int>>)(m => m.ProjectCount),
            MemberSort.Joined => (Expression<Func<Row, DateTime>>)(m => m.JoinedAt),
            MemberSort.LastActive => (Expression<Func<Row, DateTime?>>)(m => m.LastActiveAt),
            _ => (Expression<Func<Row, string>>)(m => m.Email),
        };
        var ordered = Expression.Call(typeof(Queryable), descending != reverse ? nameof(Queryable.OrderByDescending) : nameof(Queryable.OrderBy),
            [typeof(Row), key.ReturnType], rows, Expression.Quote(key));
        if (sort == MemberSort.Email) return ordered;
        Expression<Func<Row, string>> byEmail = m => m.Email;
        return Expression.Call(typeof(Queryable), reverse ? nameof(Queryable.ThenByDescending) : nameof(Queryable.ThenBy), [typeof(Row), typeof(string)], ordered, Expression.Quote(byEmail));
    }

    /// <summary>
    /// Unfiltered pages — what the members table shows most — as compiled queries, one per sort order, so a page
    /// costs the database's work and little of EF's.
    /// </summary>
    private static readonly ConcurrentDictionary<(MemberSort, bool, bool), PerModelQuery<Func<ApplicationDbContext, Guid, int, int, IAsyncEnumerable<Row>>>> PageQueries = new();

    // The rows of a full-text search, written once as an expression and spliced into the compiled search queries.
    private static readonly Expression<Func<ApplicationDbContext, string, Row, bool>> MatchesPhrase =
        (db, phrase, row) => db.SearchMembers(phrase).Select(h => h.AssignmentId).Contains(row.AssignmentId);

    // PostgreSQL: the phrase is an ILIKE pattern, answered by the pg_trgm GIN index on email and name.
    private static readonly Expression<Func<ApplicationDbContext, string, Row, bool>> MatchesPattern =
        (db, pattern, row) => EF.Functions.ILike(row.Email, pattern, "\\") || EF.Functions.ILike(row.Name, pattern, "\\");

    private static readonly ParameterExpression PhraseParameter = Expression.Parameter(typeof(string), "phrase");

    private static Expression SearchedRows(bool postgres)
    {
        var matches = postgres ? MatchesPattern : MatchesPhrase;
        var row = matches.Parameters[2];
        var body = new ReplaceParameters(new() { [matches.Parameters[0]] = MemberRows.Parameters[0], [matches.Parameters[1]] = PhraseParameter, [row] = row })
            .Visit(matches.Body);
        return Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(Row)], MemberRows.Body, Expression.Quote(Expression.Lambda<Func<Row, bool>>(body, row)));
    }

    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, string, Task<int>>> SearchCountQuery = PerModelQuery.Compile(() => CompileSearchCount(postgres: false));

    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, string, Task<int>>> SearchCountQueryPostgres = PerModelQuery.Compile(() => CompileSearchCount(postgres: true));

    private static Func<ApplicationDbContext, Guid, string, Task<int>> CompileSearchCount(bool postgres) =>
        EF.CompileAsyncQuery(Expression.Lambda<Func<ApplicationDbContext, Guid, string, int>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.Count), [typeof(Row)], SearchedRows(postgres)),
            MemberRows.Parameters[0], MemberRows.Parameters[1], PhraseParameter));

    private static readonly ConcurrentDictionary<(MemberSort, bool, bool), PerModelQuery<Func<ApplicationDbContext, Guid, string, int, int, IAsyncEnumerable<Row>>>> SearchPageQueries = new();

    private static Func<ApplicationDbContext, Guid, string, int, int, IAsyncEnumerable<Row>> SearchPageQuery(ApplicationDbContext db, MemberSort sort, bool descending, bool postgres) =>
        SearchPageQueries.GetOrAdd((sort, descending, postgres), key => PerModelQuery.Compile(() =>
        {
            var (skip, take) = (Expression.Parameter(typeof(int), "skip"), Expression.Parameter(typeof(int), "take"));
            return EF.CompileAsyncQuery(Expression.Lambda<Func<ApplicationDbContext, Guid, string, int, int, IQueryable<Row>>>(
                Paged(Ordered(SearchedRows(key.Item3), key.Item1, key.Item2), skip, take), MemberRows.Parameters[0], MemberRows.Parameters[1], PhraseParameter, skip, take));
        })).For(db);

    private static Expression Paged(Expression rows, ParameterExpression skip, ParameterExpression take) =>
        Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(Row)],
            Expression.Call(typeof(Queryable), nameof(Queryable.Skip), [typeof(Row)], rows, skip), take);

    private sealed class ReplaceParameters(Dictionary<ParameterExpression, Expression> map) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => map.TryGetValue(node, out var to) ? to : node;
    }

    private static Func<ApplicationDbContext, Guid, int, int, IAsyncEnumerable<Row>> PageQuery(ApplicationDbContext db, MemberSort sort, bool descending, bool postgres) =>
        PageQueries.GetOrAdd((sort, descending, postgres), key => PerModelQuery.Compile(() =>
        {
            var (skip, take) = (Expression.Parameter(typeof(int), "skip"), Expression.Parameter(typeof(int), "take"));
            var page = key.Item3 ? PageThenProject(MemberRows.Body, key.Item1, key.Item2, skip, take) : Paged(Ordered(MemberRows.Body, key.Item1, key.Item2), skip, take);
            return EF.CompileAsyncQuery(Expression.Lambda<Func<ApplicationDbContext, Guid, int, int, IQueryable<Row>>>(
                page, MemberRows.Parameters[0], MemberRows.Parameters[1], skip, take));
        })).For(db);

    /// <summary>
    /// PostgreSQL: an OFFSET page computes its select list (the correlated project count and last-active lookups) for
    /// every skipped row too — 50,000 of them at offset 50,000. So the page's listing rows are chosen first on the
    /// order's index (ids only), and only those rows are projected, in the same order.
    /// </summary>
    private static Expression PageThenProject(Expression rows, MemberSort sort, bool descending, ParameterExpression skip, ParameterExpression take)
    {
        Expression<Func<Row, Guid>> id = r => r.AssignmentId;
        var ids = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(Row), typeof(Guid)], Paged(Ordered(rows, sort, descending), skip, take), Expression.Quote(id));
        var row = Expression.Parameter(typeof(Row), "m");
        var onPage = Expression.Call(typeof(Queryable), nameof(Queryable.Contains), [typeof(Guid)], ids, Expression.Property(row, nameof(Row.AssignmentId)));
        var pageRows = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(Row)], rows, Expression.Quote(Expression.Lambda<Func<Row, bool>>(onPage, row)));
        return Ordered(pageRows, sort, descending);
    }

    /// <summary>What changing a member's role would add and remove, for the confirmation dialog.</summary>
    public static RoleChangeSummary DescribeRoleChange(Role from, Role to) => RoleChangeSummary.Between(from, to);

    /// <summary>
    /// The guided ownership transfer: the current owner makes another member Owner and steps down to User, in one
    /// transaction, so the organization is never without an owner and never has a half-done transfer.
    /// </summary>
    public async Task<Result> TransferOwnershipAsync(Guid organizationId, string newOwnerUserId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error;
        var actor = access.Value.Actor;
        if (newOwnerUserId == actor.Id) return Error.Validation("NewOwner", "Choose another member to hand ownership to.");

        return await dbFactory.WriteAsync(async db =>
        {
            var mine = await BindingsOfAsync(db, organizationId, actor.Id, ct);
            var theirs = await BindingsOfAsync(db, organizationId, newOwnerUserId, ct);
            if (!mine.Any(b => b.Role == Role.OrgOwner)) return Error.Forbidden("Only an owner can hand over ownership.");
            if (theirs.Count == 0) return Error.NotFound("The member");
            var theirBefore = Names(theirs);
            Replace(db, theirs, Role.OrgOwner);
            Replace(db, mine, Role.OrgMember);
            var org = await db.Organizations.FirstAsync(o => o.Id == organizationId, ct);
            db.Touch(org);
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("organization.ownership_transferred", "user", newOwnerUserId,
                Before: new { NewOwnerRoles = theirBefore, PreviousOwner = actor.Id }, After: new { NewOwnerRole = Role.OrgOwner.ToString(), PreviousOwnerRole = Role.OrgMember.ToString() }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// The console's "Change role": the member ends up holding exactly <paramref name="newRole"/> — the new binding added,
    /// the others removed — in one transaction, through the last-owner guard.
    /// </summary>
    public async Task<Result> ChangeRoleAsync(Guid organizationId, string userId, Role newRole, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error;
        if (ValidateOrganizationRole(newRole) is { } invalid) return invalid;

        return await dbFactory.WriteAsync(async db =>
        {
            var bindings = await BindingsOfAsync(db, organizationId, userId, ct);
            if (bindings.Count == 0) return Error.NotFound("The member");
            if (bindings.Count == 1 && bindings[0].Role == newRole) return Result.Ok();
            if (newRole != Role.OrgOwner && bindings.Any(b => b.Role == Role.OrgOwner))
            {
                var refused = await LastOwnerGuard.CheckAsync(db, organizationId, userId, self: userId == access.Value.Actor.Id, ct);
                if (refused is not null) return refused;
            }
            var before = Names(bindings);
            Replace(db, bindings, newRole);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("member.role_changed", "user", userId,
                Before: new { Role = before.Length == 1 ? before[0] : string.Join(",", before), Roles = before }, After: new { Role = newRole.ToString(), Roles = new[] { newRole.ToString() } }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Grants a member one more organization role (SPEC §1.3a: bindings add up). Holding it already is a conflict.</summary>
    public async Task<Result> AddRoleAsync(Guid organizationId, string userId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error;
        if (ValidateOrganizationRole(role) is { } invalid) return invalid;

        return await dbFactory.WriteAsync(async db =>
        {
            var bindings = await BindingsOfAsync(db, organizationId, userId, ct);
            if (bindings.Count == 0) return Error.NotFound("The member");
            if (bindings.Any(b => b.Role == role)) return Error.Conflict($"This member is already {role.DisplayName()}.");
            db.RoleAssignments.Add(Like(bindings[0], role, time.UtcNow()));
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("member.role_added", "user", userId,
                Before: new { Roles = Names(bindings) }, After: new { Roles = Names(bindings).Append(role.ToString()).ToArray() }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Takes one organization role away (SPEC §1.3a). Through the last-owner guard; a member's last organization role goes
    /// only with the membership — refused (Conflict) while they still hold project roles, else the member is removed.
    /// </summary>
    public async Task<Result> RemoveRoleAsync(Guid organizationId, string userId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var bindings = await BindingsOfAsync(db, organizationId, userId, ct);
            var binding = bindings.FirstOrDefault(b => b.Role == role);
            if (binding is null) return Error.NotFound("The role binding");
            if (role == Role.OrgOwner)
            {
                var refused = await LastOwnerGuard.CheckAsync(db, organizationId, userId, self: userId == access.Value.Actor.Id, ct);
                if (refused is not null) return refused;
            }
            if (bindings.Count == 1)
            {
                var projectRoles = await db.RoleAssignments.CountAsync(r => r.OrganizationId == organizationId && r.ProjectId != null
                    && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId, ct);
                if (projectRoles > 0)
                {
                    return Error.Conflict($"This is the member's last organization role and they still hold {projectRoles} project role{(projectRoles == 1 ? "" : "s")}. " +
                                          "Remove those first, or remove the member from the organization.");
                }
            }
            db.RoleAssignments.Remove(binding);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry(bindings.Count == 1 ? "member.removed" : "member.role_removed", "user", userId,
                Before: new { Roles = Names(bindings) }, After: new { Roles = Names(bindings).Where(r => r != role.ToString()).ToArray() }), ct);
            return Result.Ok();
        }, ct);
    }

    private static Error? ValidateOrganizationRole(Role role) => Roles.ScopeOf(role) == RoleScope.Organization
        ? null
        : Error.Validation("Role", $"Choose an organization role: {string.Join(", ", Roles.OrganizationRoles.Select(r => r.DisplayName()))}.");

    private static string[] Names(IEnumerable<RoleAssignment> bindings) => Roles.MostPrivilegedFirst(bindings.Select(b => b.Role)).Select(r => r.ToString()).ToArray();

    /// <summary>Leaves the principal holding exactly <paramref name="role"/>: keeps that binding if held, adds it if not, removes the rest.</summary>
    private void Replace(ApplicationDbContext db, List<RoleAssignment> bindings, Role role)
    {
        if (bindings.All(b => b.Role != role)) db.RoleAssignments.Add(Like(bindings[0], role, time.UtcNow()));
        db.RoleAssignments.RemoveRange(bindings.Where(b => b.Role != role));
    }

    private static RoleAssignment Like(RoleAssignment other, Role role, DateTime now) => new()
    {
        OrganizationId = other.OrganizationId,
        PrincipalType = other.PrincipalType,
        PrincipalId = other.PrincipalId,
        Role = role,
        CreatedAt = now,
        PrincipalName = other.PrincipalName,
        PrincipalEmail = other.PrincipalEmail,
    };

    /// <summary>Removes a member and every project role they hold in the organization.</summary>
    public async Task<Result> RemoveAsync(Guid organizationId, string userId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.RemoveMembers, ct);
        if (!access.IsSuccess) return access.Error;
        return await RemoveMembershipAsync(access.Value.Actor, organizationId, userId, "member.removed", ct);
    }

    /// <summary>The current user leaves the organization (any member may, except its last owner).</summary>
    public async Task<Result> LeaveAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        return await RemoveMembershipAsync(access.Value.Actor, organizationId, access.Value.Actor.Id, "member.left", ct);
    }

    private Task<Result> RemoveMembershipAsync(Actor actor, Guid organizationId, string userId, string action, CancellationToken ct) =>
        dbFactory.WriteAsync(async db =>
        {
            var memberships = await BindingsOfAsync(db, organizationId, userId, ct);
            if (memberships.Count == 0) return Error.NotFound("The member");
            var refused = await LastOwnerGuard.CheckAsync(db, organizationId, userId, self: userId == actor.Id, ct);
            if (refused is not null) return refused;
            var projectRoles = await db.RoleAssignments
                .Where(r => r.OrganizationId == organizationId && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
                .ToListAsync(ct);
            db.RoleAssignments.RemoveRange(projectRoles);
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry(action, "user", userId,
                Before: new { Role = Names(memberships)[0], Roles = Names(memberships), ProjectRoles = projectRoles.Count(r => r.ProjectId != null) }), ct);
            return Result.Ok();
        }, ct);

    /// <summary>A member's organization role bindings (tracked; empty for a non-member).</summary>
    private static Task<List<RoleAssignment>> BindingsOfAsync(ApplicationDbContext db, Guid organizationId, string userId, CancellationToken ct) =>
        db.RoleAssignments.Where(r => r.OrganizationId == organizationId && r.ProjectId == null
            && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId).ToListAsync(ct);
}
