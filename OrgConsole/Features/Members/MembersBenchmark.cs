using System.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Members;

/// <summary>
/// <c>dotnet run --project OrgConsole -c Release -- benchmark members</c>: the members page's query (through
/// <see cref="MemberService"/>, authorization included) against a hand-written ADO.NET twin returning the same rows,
/// on a fresh SQLite file with 100,000 members. Prints medians and the target (within 2× of ADO.NET, under 5 ms).
/// </summary>
public static class MembersBenchmark
{
    /// <summary>A case; <paramref name="After"/>: the twin's keyset condition (the edge member's email is <c>$after</c>), else it pages by offset.</summary>
    private sealed record Case(string Name, MemberQuery Query, string OrderBy, string? After = null);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var members = IntOption(args, "--members", 100_000);
        var iterations = IntOption(args, "--iterations", 200);
        var postgres = StringOption(args, "--provider") is { } p && p.Equals("postgres", StringComparison.OrdinalIgnoreCase);
        var path = Path.Combine(Path.GetTempPath(), $"orgconsole-bench-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        if (postgres)
        {
            var server = StringOption(args, "--connection") ?? Environment.GetEnvironmentVariable("ORGCONSOLE_BENCH_POSTGRES");
            if (string.IsNullOrWhiteSpace(server))
            {
                output.WriteLine("--provider postgres needs --connection \"Host=…;Username=…\" (a role that may create a database) or ORGCONSOLE_BENCH_POSTGRES.");
                return 2;
            }
            connectionString = await CreatePostgresDatabaseAsync(server);
            path = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;
        }
        try
        {
            await using var provider = BuildServices(connectionString, args.Contains("--show-sql"), postgres);
            var dbFactory = provider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
            output.WriteLine($"Preparing a {(postgres ? "PostgreSQL" : "SQLite")} database with {members:N0} members in one organization ({path}) ...");
            var (orgId, ownerId) = await SeedAsync(dbFactory, members);

            await using var scope = provider.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, ownerId, "owner@bench.example");
            var service = scope.ServiceProvider.GetRequiredService<MemberService>();

            Case[] cases =
            [
                new("first page (by email)", new MemberQuery(PageSize: 25), "r.PrincipalEmail"),
                new("deep page 2,000 (by email)", new MemberQuery(Page: 2000, PageSize: 25), "r.PrincipalEmail"),
                // The same page (offset 50,000) as "next page" from page 1,999: keyset on the last email shown.
                new("deep page 2,000, keyset", new MemberQuery(Page: 2000, PageSize: 25, From: new MemberKeyset(Bulk(49_999), "", default, Forward: true)),
                    "r.PrincipalEmail", "r.PrincipalEmail > $after"),
                new("page 1,999, keyset previous", new MemberQuery(Page: 1999, PageSize: 25, From: new MemberKeyset(Bulk(50_000), "", default, Forward: false)),
                    "r.PrincipalEmail DESC", "r.PrincipalEmail < $after"),
                new("search \"member04242\"", new MemberQuery("member04242", PageSize: 25), "r.PrincipalEmail"),
                new("sort by name, descending", new MemberQuery(Sort: MemberSort.Name, Descending: true, PageSize: 25), "r.PrincipalName DESC, r.PrincipalEmail"),
            ];

            // Warm every case (both sides) before timing any: tiered compilation promotes a method only after 30 calls and
            // a pause, so without this the first case measured would carry the JIT for the code all cases share.
            foreach (var c in cases)
            {
                await WarmAsync(async () => await service.SearchAsync(orgId, c.Query));
                await WarmAsync(async () => _ = postgres ? await NpgsqlAsync(connectionString, orgId, ownerId, c) : await AdoAsync(connectionString, orgId, ownerId, c));
            }

            output.WriteLine();
            output.WriteLine($"{"case",-30} {"svc median",10} {"ADO median",11} {"ratio",6} {"svc p95",8} {"ADO p95",8}  target (≤2× ADO.NET, <5 ms)");
            var allMet = true;
            foreach (var c in cases)
            {
                var efRows = (await service.SearchAsync(orgId, c.Query)).Value;
                var adoRows = postgres ? await NpgsqlAsync(connectionString, orgId, ownerId, c) : await AdoAsync(connectionString, orgId, ownerId, c);
                if (!efRows.Items.Select(i => i.Email).SequenceEqual(adoRows.Emails) || efRows.TotalCount != adoRows.Total
                    || (c.After is not null && !efRows.Items.SequenceEqual((await service.SearchAsync(orgId, c.Query with { From = null })).Value.Items)))
                {
                    output.WriteLine($"{c.Name}: the two queries returned different rows — benchmark invalid.");
                    return 1;
                }
                var ef = await MeasureAsync(iterations, async () => await service.SearchAsync(orgId, c.Query));
                var ado = await MeasureAsync(iterations, async () => _ = postgres ? await NpgsqlAsync(connectionString, orgId, ownerId, c) : await AdoAsync(connectionString, orgId, ownerId, c));
                var ratio = ef.Median / ado.Median;
                var met = ratio <= 2 && ef.Median < 5;
                allMet &= met;
                output.WriteLine($"{c.Name,-30} {ef.Median,8:F2}ms {ado.Median,9:F2}ms {ratio,5:F2}× {ef.P95,6:F2}ms {ado.P95,6:F2}ms  {(met ? "met" : "MISSED")}");
            }
            output.WriteLine();
            output.WriteLine(allMet ? "Every case met the target." : "Some cases missed the target (see above).");
            return 0;
        }
        finally
        {
            if (postgres && !args.Contains("--keep")) await DropPostgresDatabaseAsync(connectionString);
            SqliteConnection.ClearAllPools();
            if (!postgres && !args.Contains("--keep")) foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }

    private static ServiceProvider BuildServices(string connectionString, bool showSql, bool postgres)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        if (postgres)
        {
            services.AddOrgConsoleDbContext(DatabaseSetup.PostgresProvider, connectionString);
        }
        else
        {
            services.AddPooledDbContextFactory<ApplicationDbContext>(o =>
            {
                o.UseSqlite(connectionString);
                if (showSql) o.LogTo(Console.WriteLine, Microsoft.Extensions.Logging.LogLevel.Information);
            });
            // As the app registers it: the hottest reads (the access check, the unfiltered member pages) on kept connections.
            services.AddSingleton(_ => new KeptReadConnections(connectionString, KeptReadConnections.DefaultMaxConnections));
        }
        services.AddIdentityCore<ApplicationUser>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3).AddEntityFrameworkStores<ApplicationDbContext>();
        services.AddScoped<ActorAccessor>();
        services.AddScoped<Authorizer>();
        services.AddDataProtection();
        Audit.AuditModule.AddAudit(services, o =>
        {
            o.ChainKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            o.CheckpointPath = Path.Combine(Path.GetTempPath(), $"orgconsole-benchmark-{Guid.NewGuid():N}.checkpoints");
        });
        services.AddScoped<MemberService>();
        return services.BuildServiceProvider();
    }

    private static async Task<(Guid OrgId, string OwnerId)> SeedAsync(IDbContextFactory<ApplicationDbContext> dbFactory, int members)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await DatabaseSetup.MigrateAsync(db);
        var now = DateTime.UtcNow;
        var owner = new ApplicationUser
        {
            UserName = "owner@bench.example", NormalizedUserName = "OWNER@BENCH.EXAMPLE", Email = "owner@bench.example",
            NormalizedEmail = "OWNER@BENCH.EXAMPLE", EmailConfirmed = true, SecurityStamp = Guid.NewGuid().ToString(), CreatedAt = now,
        };
        var org = new Organization { Id = Guid.NewGuid(), Name = "Bench", Plan = Plan.Enterprise, CreatedByUserId = owner.Id, CreatedByEmail = owner.NormalizedEmail, CreatedAt = now };
        var project = new Projects.Project { Id = Guid.NewGuid(), OrganizationId = org.Id, Name = "Bench", NormalizedName = "BENCH", CreatedAt = now };
        db.Users.Add(owner);
        db.Organizations.Add(org);
        db.Projects.Add(project);
        db.RoleAssignments.Add(RoleAssignment.ForUser(owner, org.Id, Role.OrgOwner, now));
        await db.SaveChangesAsync();
        await BulkMembers.AddAsync(db, org.Id, members, project.Id);
        // PostgreSQL: what autovacuum does soon after a bulk load (its insert threshold) — statistics, and the visibility
        // map that lets an offset page walk only the index (an index-only scan). SQLite: statistics.
        await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql() ? "VACUUM ANALYZE;" : "ANALYZE;");
        return (org.Id, owner.Id);
    }

    /// <summary>
    /// The twin: the same membership check, count, page and roles of the page's members, written by hand — on a pooled connection opened per call,
    /// as data access in a web app does (the service opens one per operation too).
    /// </summary>
    private static async Task<(int Total, List<string> Emails)> AdoAsync(string connectionString, Guid orgId, string ownerId, Case c)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var org = orgId.ToString().ToUpperInvariant();
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = """
                SELECT r.Role FROM RoleAssignments r JOIN Organizations o ON o.Id = r.OrganizationId
                WHERE r.OrganizationId = $org AND r.ProjectId IS NULL AND r.PrincipalType = 'User' AND r.PrincipalId = $user AND o.DeletedAt IS NULL LIMIT 1
                """;
            check.Parameters.AddWithValue("$org", org);
            check.Parameters.AddWithValue("$user", ownerId);
            if (await check.ExecuteScalarAsync() is null) throw new InvalidOperationException("not a member");
        }
        // One row per member, as MemberService reads it: each person's listing row (their most privileged organization role).
        var where = "r.OrganizationId = $org AND r.ProjectId IS NULL AND r.PrincipalType = 'User' AND r.IsListed";
        if (c.After is not null) where += " AND " + c.After;
        var search = c.Query.Search?.Trim().ToUpperInvariant();
        if (!string.IsNullOrEmpty(search)) where += " AND r.Id IN (SELECT AssignmentId FROM MemberSearch WHERE MemberSearch MATCH $q AND OrganizationId = $org)";

        await using var page = connection.CreateCommand();
        page.CommandText = $"""
            SELECT r.PrincipalId, r.PrincipalName, r.PrincipalEmail, r.Role,
                   (SELECT COUNT(*) FROM RoleAssignments p WHERE p.PrincipalType = 'User' AND p.PrincipalId = r.PrincipalId AND p.OrganizationId = $org AND p.ProjectId IS NOT NULL),
                   r.CreatedAt, (SELECT u.LastActiveAt FROM AspNetUsers u WHERE u.Id = r.PrincipalId)
            FROM RoleAssignments r
            WHERE {where}
            ORDER BY {c.OrderBy}
            LIMIT $take OFFSET $skip
            """;
        page.Parameters.AddWithValue("$org", org);
        page.Parameters.AddWithValue("$take", c.Query.PageSize);
        page.Parameters.AddWithValue("$skip", c.After is null ? c.Query.Page * c.Query.PageSize : 0);
        if (c.After is not null) page.Parameters.AddWithValue("$after", c.Query.From!.Email);
        if (!string.IsNullOrEmpty(search)) page.Parameters.AddWithValue("$q", MemberSearchIndex.Phrase(search));
        var emails = new List<string>(c.Query.PageSize);
        var ids = new List<string>(c.Query.PageSize);
        await using (var reader = await page.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                emails.Add(reader.GetString(2));
                ids.Add(reader.GetString(0));
                _ = (reader.GetString(1), reader.GetString(3), reader.GetInt32(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
            }
        }
        // A short offset page is the last one: its total needs no count (as the service does).
        var total = ShortPageTotal(c, emails.Count);
        if (total < 0)
        {
            await using (var count = connection.CreateCommand())
            {
                count.CommandText = string.IsNullOrEmpty(search)
                    ? "SELECT MemberCount FROM Organizations WHERE Id = $org"
                    : $"SELECT COUNT(*) FROM RoleAssignments r WHERE {where}";
                count.Parameters.AddWithValue("$org", org);
                if (!string.IsNullOrEmpty(search)) count.Parameters.AddWithValue("$q", MemberSearchIndex.Phrase(search));
                total = Convert.ToInt32(await count.ExecuteScalarAsync());
            }
        }
        // Every organization role of the page's members (the list shows them all, as the service reads them).
        if (ids.Count > 0)
        {
            await using var roles = connection.CreateCommand();
            roles.CommandText = "SELECT PrincipalId, Role FROM RoleAssignments WHERE OrganizationId = $org AND ProjectId IS NULL AND PrincipalType = 'User' AND PrincipalId IN ("
                + string.Join(", ", ids.Select((_, i) => "$id" + i)) + ")";
            roles.Parameters.AddWithValue("$org", org);
            for (var i = 0; i < ids.Count; i++) roles.Parameters.AddWithValue("$id" + i, ids[i]);
            await using var reader = await roles.ExecuteReaderAsync();
            while (await reader.ReadAsync()) _ = (reader.GetString(0), reader.GetString(1));
        }
        if (c.Query.From is { Forward: false }) emails.Reverse();
        return (total, emails);
    }

    private static async Task<string> CreatePostgresDatabaseAsync(string server)
    {
        var name = $"orgconsole_bench_{Guid.NewGuid():N}";
        await using (var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ToString()))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    private static async Task DropPostgresDatabaseAsync(string connectionString)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        var name = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ToString());
        await admin.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The twin on PostgreSQL: raw Npgsql, the same check, count and page (ILIKE on the pg_trgm index for a search); the
    /// page's rows are chosen by id in a subquery (on the order's index alone) and only they are projected (PostgreSQL
    /// computes a select list for skipped rows).
    /// </summary>
    private static async Task<(int Total, List<string> Emails)> NpgsqlAsync(string connectionString, Guid orgId, string ownerId, Case c)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var check = new Npgsql.NpgsqlCommand("""
            SELECT r."Role" FROM "RoleAssignments" r JOIN "Organizations" o ON o."Id" = r."OrganizationId"
            WHERE r."OrganizationId" = @org AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User' AND r."PrincipalId" = @user AND o."DeletedAt" IS NULL LIMIT 1
            """, connection))
        {
            check.Parameters.AddWithValue("org", orgId);
            check.Parameters.AddWithValue("user", ownerId);
            if (await check.ExecuteScalarAsync() is null) throw new InvalidOperationException("not a member");
        }
        // One row per member, as MemberService reads it (each person's listing row); a keyset case seeks past the edge email.
        var where = "r.\"OrganizationId\" = @org AND r.\"ProjectId\" IS NULL AND r.\"PrincipalType\" = 'User' AND r.\"IsListed\"";
        var after = c.After is null ? null : System.Text.RegularExpressions.Regex.Replace(c.After.Replace("$after", "@after"), @"r\.(\w+)", "r.\"$1\"");
        var search = c.Query.Search?.Trim().ToUpperInvariant();
        if (!string.IsNullOrEmpty(search)) where += " AND (r.\"PrincipalEmail\" ILIKE @q OR r.\"PrincipalName\" ILIKE @q)";
        var orderBy = System.Text.RegularExpressions.Regex.Replace(c.OrderBy, @"r\.(\w+)", "r.\"$1\"");
        await using var page = new Npgsql.NpgsqlCommand($"""
            SELECT r."PrincipalId", r."PrincipalName", r."PrincipalEmail", r."Role",
                   (SELECT COUNT(*) FROM "RoleAssignments" p WHERE p."PrincipalType" = 'User' AND p."PrincipalId" = r."PrincipalId" AND p."OrganizationId" = @org AND p."ProjectId" IS NOT NULL),
                   r."CreatedAt", (SELECT u."LastActiveAt" FROM "AspNetUsers" u WHERE u."Id" = r."PrincipalId")
            FROM "RoleAssignments" r
            WHERE r."Id" IN (SELECT r."Id" FROM "RoleAssignments" r WHERE {where}{(after is null ? "" : " AND " + after)} ORDER BY {orderBy} LIMIT @take OFFSET @skip)
            ORDER BY {orderBy}
            """, connection);
        page.Parameters.AddWithValue("org", orgId);
        page.Parameters.AddWithValue("take", c.Query.PageSize);
        page.Parameters.AddWithValue("skip", after is null ? c.Query.Page * c.Query.PageSize : 0);
        if (after is not null) page.Parameters.AddWithValue("after", c.Query.From!.Email);
        if (!string.IsNullOrEmpty(search)) page.Parameters.AddWithValue("q", MemberSearchIndex.ContainsPattern(search));
        var emails = new List<string>(c.Query.PageSize);
        var ids = new List<string>(c.Query.PageSize);
        var reader = await page.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            emails.Add(reader.GetString(2));
            ids.Add(reader.GetString(0));
            _ = (reader.GetString(1), reader.GetString(3), reader.GetInt64(4), reader.GetDateTime(5), reader.IsDBNull(6) ? (DateTime?)null : reader.GetDateTime(6));
        }
        await reader.DisposeAsync();
        var total = ShortPageTotal(c, emails.Count);
        if (total < 0)
        {
            await using (var count = new Npgsql.NpgsqlCommand(string.IsNullOrEmpty(search)
                ? "SELECT \"MemberCount\" FROM \"Organizations\" WHERE \"Id\" = @org"
                : $"SELECT COUNT(*) FROM \"RoleAssignments\" r WHERE {where}", connection))
            {
                count.Parameters.AddWithValue("org", orgId);
                if (!string.IsNullOrEmpty(search)) count.Parameters.AddWithValue("q", MemberSearchIndex.ContainsPattern(search));
                total = Convert.ToInt32(await count.ExecuteScalarAsync());
            }
        }
        // Every organization role of the page's members, as the service reads them.
        if (ids.Count > 0)
        {
            await using var roles = new Npgsql.NpgsqlCommand(
                "SELECT \"PrincipalId\", \"Role\" FROM \"RoleAssignments\" WHERE \"OrganizationId\" = @org AND \"ProjectId\" IS NULL AND \"PrincipalType\" = 'User' AND \"PrincipalId\" = ANY(@ids)", connection);
            roles.Parameters.AddWithValue("org", orgId);
            roles.Parameters.AddWithValue("ids", ids.ToArray());
            await using var rolesReader = await roles.ExecuteReaderAsync();
            while (await rolesReader.ReadAsync()) _ = (rolesReader.GetString(0), rolesReader.GetString(1));
        }
        if (c.Query.From is { Forward: false }) emails.Reverse();
        return (total, emails);
    }

    /// <summary>The service's rule (a short offset page's total is its offset plus its rows); keyset pages always count. -1: count.</summary>
    private static int ShortPageTotal(Case c, int rows) => (c.After is null ? MemberService.TotalFromPage(c.Query, rows) : null) ?? -1;

    private static string? StringOption(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Bulk(int i) => $"member{i:D6}@bulk.example";

    /// <summary>Runs a case for at least half a second and 100 times, so its code is past tiered compilation's first tier.</summary>
    private static async Task WarmAsync(Func<Task> run)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < 100 || Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(500); i++) await run();
    }

    private static async Task<(double Median, double P95)> MeasureAsync(int iterations, Func<Task> run)
    {
        for (var i = 0; i < Math.Max(5, iterations / 10); i++) await run();
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await run();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(samples);
        return (samples[iterations / 2], samples[(int)(iterations * 0.95)]);
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) && value > 0 ? value : fallback;
    }
}
