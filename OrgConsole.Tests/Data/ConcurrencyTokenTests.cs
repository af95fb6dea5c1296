using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Data;

/// <summary>One interceptor renews every <c>Version</c> concurrency token; the services never write it.</summary>
public class ConcurrencyTokenTests
{
    [Fact(Timeout = 30_000)]
    public async Task AnUpdate_ThatDoesNotTouchVersion_StillRenewsIt()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        Guid before;
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var org = await ctx.Organizations.SingleAsync(o => o.Id == orgId);
            before = org.Version;
            org.Name = "Renamed";
            await ctx.SaveChangesAsync();
        }

        await using var check = await db.DbFactory.CreateDbContextAsync();
        var after = await check.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId);
        Assert.Equal("Renamed", after.Name);
        Assert.NotEqual(before, after.Version);
    }

    [Fact(Timeout = 30_000)]
    public async Task Touch_RenewsTheVersion_WithNoOtherChange()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        Guid before;
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var org = await ctx.Organizations.SingleAsync(o => o.Id == orgId);
            before = org.Version;
            ctx.Touch(org);
            await ctx.SaveChangesAsync();
        }

        await using var check = await db.DbFactory.CreateDbContextAsync();
        Assert.NotEqual(before, (await check.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId)).Version);
    }

    [Fact(Timeout = 30_000)]
    public async Task AStaleConcurrentUpdate_StillLoses_WithTheConcurrencyMessage()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Acme");
        await using var reader = await db.DbFactory.CreateDbContextAsync();
        var stale = await reader.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId); // read before the other change

        var first = await db.DbFactory.WriteAsync(async ctx =>
        {
            (await ctx.Organizations.SingleAsync(o => o.Id == orgId)).Name = "First";
            return Result.Ok();
        });
        var second = await db.DbFactory.WriteAsync(ctx =>
        {
            ctx.Organizations.Attach(stale);
            stale.Name = "Second";
            return Task.FromResult(Result.Ok());
        });

        Assert.True(first.IsSuccess);
        Assert.Equal(ErrorKind.Conflict, second.Error?.Kind);
        Assert.Equal(UnitOfWork.ConcurrentChangeMessage, second.Error?.Message);
        await using var check = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal("First", (await check.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId)).Name);
    }
}
