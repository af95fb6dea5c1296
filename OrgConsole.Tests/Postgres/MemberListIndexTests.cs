using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Postgres;

/// <summary>
/// PostgreSQL's member list indexes (issue 15): an offset page picks its rows' ids on the order's index, and with the id in
/// the index PostgreSQL walks the index alone past the skipped rows (an index-only scan), not the table; the search index
/// keeps no pending list, so a search after a burst of new members does not read an unsorted list end to end.
/// </summary>
public sealed class MemberListIndexTests : IPostgresVariant
{
    private readonly bool _postgres = TestProvider.UsePostgres();

    [Theory(Timeout = 120_000)]
    [InlineData("\"PrincipalEmail\"")]
    [InlineData("\"PrincipalName\", \"PrincipalEmail\"")]
    [InlineData("\"Role\", \"PrincipalEmail\"")]
    [InlineData("\"CreatedAt\", \"PrincipalEmail\"")]
    public async Task AnOffsetPagesIds_AreReadFromTheIndexAlone(string orderBy)
    {
        Assert.True(_postgres);
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        for (var i = 0; i < 30; i++) await db.AddMemberAsync(orgId, i % 4 == 0 ? Role.OrgBillingAdmin : Role.OrgMember, $"m{i:D2}@acme.example");
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        await ctx.Database.OpenConnectionAsync();
        // What autovacuum does after inserts: the visibility map an index-only scan relies on. Plans on 30 rows would be
        // sequential scans, so those are switched off: the question is only whether the index can answer alone.
        await ctx.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"RoleAssignments\"; SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;");
        var sql = """
            EXPLAIN SELECT "Id" FROM "RoleAssignments" r
            WHERE r."OrganizationId" = {0} AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User' AND r."IsListed"
            ORDER BY
            """ + " " + orderBy + " OFFSET 20 LIMIT 5"; // orderBy: the test's own constants
        var plan = await ctx.Database.SqlQueryRaw<string>(sql, orgId).ToListAsync();

        Assert.Contains(plan, line => line.Contains("Index Only Scan using \"IX_Members_", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task TheSearchIndex_KeepsNoPendingList()
    {
        await using var db = await TestDb.CreateAsync();
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var options = await ctx.Database.SqlQueryRaw<string>(
            "SELECT unnest(reloptions) AS \"Value\" FROM pg_class WHERE relname = 'IX_Members_Search'").ToListAsync();
        Assert.Contains("fastupdate=off", options);
    }
}
