using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Audit;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Audit;

/// <summary>
/// Issue 17: standalone events (a token issued) are group-committed — many concurrent callers share a transaction — yet
/// every caller's event is chained and committed before its call returns, and no caller is told success for an event that
/// is not in the database.
/// </summary>
public class AuditBatchWriterTests
{
    private const string Action = "service_account.token_issued";
    private static readonly Actor Robot = new(ActorType.ServiceAccount, Guid.NewGuid().ToString(), "robot");

    private static AuditEntry Entry(string targetId) => new(Action, "service_account", targetId);

    private static async Task<List<string?>> TargetsAsync(TestDb db, Guid orgId)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        return await ctx.AuditEvents.Where(e => e.OrganizationId == orgId && e.Action == Action).Select(e => e.TargetId).ToListAsync();
    }

    /// <summary>Refuses inserts of events whose target is <paramref name="targetId"/> (every event when null): a failing write.</summary>
    private static async Task RefuseAsync(TestDb db, string? targetId)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var when = targetId is null ? "TRUE" : $"NEW.\"TargetId\" = '{targetId}'";
        if (TestProvider.IsPostgres)
        {
            var sql = $$"""
                CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF {{when}} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER test_refuse_audit BEFORE INSERT ON "AuditEvents" FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();
                """;
            await ctx.Database.ExecuteSqlRawAsync(sql);
        }
        else
        {
            var sql = $"""
                CREATE TRIGGER test_refuse_audit BEFORE INSERT ON AuditEvents WHEN {(targetId is null ? "1" : $"NEW.TargetId = '{targetId}'")}
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
                """;
            await ctx.Database.ExecuteSqlRawAsync(sql);
        }
    }

    private static async Task AllowAsync(TestDb db)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        await ctx.Database.ExecuteSqlRawAsync(TestProvider.IsPostgres
            ? "DROP TRIGGER test_refuse_audit ON \"AuditEvents\"; DROP FUNCTION test_refuse_audit();"
            : "DROP TRIGGER test_refuse_audit;");
    }

    [Fact(Timeout = 120_000)]
    public async Task ConcurrentAppends_AreAllCommitted_InFewerTransactions_AndTheChainVerifies()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Batch");
        var (otherOrgId, _) = await db.CreateOrganizationAsync("Other");
        var writer = db.Services.GetRequiredService<AuditBatchWriter>();
        var batchesBefore = writer.Batches;
        const int n = 200;

        // Two organizations' chains interleaved in the same batches.
        await Task.WhenAll(Enumerable.Range(0, n).Select(i => Task.Run(() =>
            db.Service<AuditLog>(null).AppendBatchedAsync(Robot, i % 2 == 0 ? orgId : otherOrgId, Entry($"t{i}")))));

        var targets = (await TargetsAsync(db, orgId)).Concat(await TargetsAsync(db, otherOrgId)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"t{i}").Order(), targets);
        Assert.True(writer.Batches - batchesBefore < n / 2, $"{n} events took {writer.Batches - batchesBefore} transactions: they were not grouped.");
        foreach (var org in new[] { orgId, otherOrgId })
        {
            var check = await db.Service<AuditLog>(null).VerifyAsync(org);
            Assert.True(check.IsIntact, check.Message);
            Assert.Equal(n / 2 + 1, check.EventCount); // + organization.created
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task OneEventThatCannotBeWritten_FailsOnlyItsCaller_TheOthersAreCommitted()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Poison");
        await RefuseAsync(db, "poison");
        const int n = 60;

        var calls = Enumerable.Range(0, n).Select(i => Task.Run(() =>
            db.Service<AuditLog>(null).AppendBatchedAsync(Robot, orgId, Entry(i == n / 2 ? "poison" : $"t{i}")))).ToList();
        var outcomes = await Task.WhenAll(calls.Select(async c => { try { await c; return null; } catch (Exception ex) { return ex; } }));

        Assert.Single(outcomes, o => o is not null);
        Assert.NotNull(outcomes[n / 2]);
        var targets = await TargetsAsync(db, orgId);
        Assert.Equal(n - 1, targets.Count);
        Assert.DoesNotContain("poison", targets);
        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.True(check.IsIntact, check.Message);
    }

    [Fact(Timeout = 120_000)]
    public async Task WhenWritesFail_EveryCallerGetsTheFailure_NoneIsToldSuccess_AndTheChainContinuesAfterwards()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Down");
        await RefuseAsync(db, null);
        const int n = 40;

        var calls = Enumerable.Range(0, n).Select(i => Task.Run(() => db.Service<AuditLog>(null).AppendBatchedAsync(Robot, orgId, Entry($"t{i}")))).ToList();
        foreach (var call in calls) await Assert.ThrowsAnyAsync<Exception>(() => call);
        Assert.Empty(await TargetsAsync(db, orgId));

        await AllowAsync(db);
        await db.Service<AuditLog>(null).AppendBatchedAsync(Robot, orgId, Entry("after"));
        Assert.Equal(["after"], await TargetsAsync(db, orgId));
        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.True(check.IsIntact, check.Message);
        Assert.Equal(2, check.EventCount);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnAppendReturns_OnlyOnceItsEventIsCommitted()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Durable");
        for (var i = 0; i < 5; i++)
        {
            await db.Service<AuditLog>(null).AppendBatchedAsync(Robot, orgId, Entry($"t{i}"));
            // A fresh connection sees it at once: committed, not merely queued.
            Assert.Contains($"t{i}", await TargetsAsync(db, orgId));
        }
    }
}
