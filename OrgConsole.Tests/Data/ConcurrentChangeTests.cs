using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Data;

public sealed class ConcurrentChangeTests
{
    [Fact(Timeout = 30_000)]
    public async Task AWriteThatLosesTheRaceOnAConcurrencyToken_IsTheConcurrentChangeConflict_AndNothingIsSaved()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Acme Race");

        var result = await db.DbFactory.WriteAsync(async context =>
        {
            var org = await context.Organizations.SingleAsync(o => o.Id == orgId);
            org.Name = "Acme Renamed";
            // Another write committed first: the version this one read is no longer the stored one.
            context.Entry(org).Property(o => o.Version).OriginalValue = Guid.NewGuid();
            return Result.Ok();
        });

        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.True(result.Error?.IsConcurrentChange);
        Assert.Equal(Error.ConcurrentChangeMessage, result.Error?.Message);
        await using var check = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal("Acme Race", (await check.Organizations.SingleAsync(o => o.Id == orgId)).Name);
    }
}
