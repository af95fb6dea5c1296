using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Audit;

public class AuditTrailTests
{
    [Fact(Timeout = 30_000)]
    public async Task UpdatingAnAuditRow_IsRefusedByTheDatabase()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        await using var ctx = await db.DbFactory.CreateDbContextAsync();

        var error = await Assert.ThrowsAnyAsync<DbException>(() =>
            ctx.Database.ExecuteSqlRawAsync("UPDATE \"AuditEvents\" SET \"Action\" = 'nothing.happened' WHERE \"OrganizationId\" = {0}", orgId));

        Assert.Contains("append-only", error.Message);
        Assert.Equal("organization.created", (await db.AuditEventsAsync(orgId)).Single().Action);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeletingAnAuditRow_IsRefusedByTheDatabase()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        await using var ctx = await db.DbFactory.CreateDbContextAsync();

        await Assert.ThrowsAnyAsync<DbException>(() => ctx.AuditEvents.ExecuteDeleteAsync());

        Assert.Single(await db.AuditEventsAsync(orgId));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheHashChain_VerifiesAndThenDetectsATamperedRow()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Chain");
        var orgs = db.Service<OrganizationService>(owner);
        for (var i = 1; i <= 4; i++) Assert.True((await orgs.RenameAsync(orgId, $"Chain {i}")).IsSuccess);
        var log = db.Service<AuditLog>(null);

        var intact = await log.VerifyAsync(orgId);
        Assert.True(intact.IsIntact, intact.Message);
        Assert.Equal(5, intact.EventCount);

        // Someone with direct access to the file removes the trigger and rewrites history.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Database.ExecuteSqlRawAsync(TestProvider.IsPostgres ? "DROP TRIGGER \"AuditEvents_NoUpdate\" ON \"AuditEvents\"" : "DROP TRIGGER AuditEvents_NoUpdate");
            await ctx.Database.ExecuteSqlRawAsync("UPDATE \"AuditEvents\" SET \"After\" = {0} WHERE \"OrganizationId\" = {1} AND \"Sequence\" = 3", "{\"name\":\"Innocent\"}", orgId);
        }

        var tampered = await log.VerifyAsync(orgId);
        Assert.False(tampered.IsIntact);
        Assert.Equal(3, tampered.FirstBrokenSequence);
    }

    [Fact(Timeout = 30_000)]
    public async Task EveryChainIsSeparate_AndSequencesAreContiguous()
    {
        await using var db = await TestDb.CreateAsync();
        var (a, ownerA) = await db.CreateOrganizationAsync("A");
        var (b, ownerB) = await db.CreateOrganizationAsync("B");
        await db.Service<OrganizationService>(ownerA).RenameAsync(a, "A2");
        await db.Service<OrganizationService>(ownerB).RenameAsync(b, "B2");
        await db.Service<OrganizationService>(ownerA).RenameAsync(a, "A3");

        Assert.Equal([1L, 2L, 3L], (await db.AuditEventsAsync(a)).Select(e => e.Sequence));
        Assert.Equal([1L, 2L], (await db.AuditEventsAsync(b)).Select(e => e.Sequence));
        Assert.True((await db.Service<AuditLog>(null).VerifyAsync(b)).IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task AFailedChange_WritesNoAuditEvent()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Same");
        await db.AddProjectAsync(orgId);

        await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "Same");   // refused: a project exists
        await db.Service<OrganizationService>(owner).RenameAsync(orgId, "   ");    // refused: blank

        Assert.Single(await db.AuditEventsAsync(orgId));
    }
}
