using OrgConsole.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Tests.Postgres;

public sealed partial class TwoInstanceTests
{
    /// <summary>
    /// Issue 15: the billing job's lease keeps the period close to one instance, but should both close periods at once
    /// (a lease expired mid-run, an operator running it by hand) there is still one invoice per organization and period.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task ConcurrentPeriodClosesOnBothInstances_IssueExactlyOneInvoicePerOrganizationAndPeriod()
    {
        var (_, owner, _) = await DemoAsync();
        var orgIds = new List<Guid>();
        await using (var db = await _a.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            for (var i = 0; i < 3; i++)
            {
                var org = new Organization
                {
                    Id = Guid.NewGuid(), Name = $"Closing {i}", Plan = Plan.Starter, CreatedByUserId = owner, CreatedByEmail = $"CLOSER{i}-{Guid.NewGuid():N}@TEST.EXAMPLE",
                    CreatedAt = DateTime.UtcNow.AddMonths(-3),
                };
                db.Organizations.Add(org);
                orgIds.Add(org.Id);
            }
            await db.SaveChangesAsync();
        }

        // Three concurrent runs on each instance.
        await Task.WhenAll(new[] { _a, _b, _a, _b, _a, _b }.Select(app => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<InvoiceService>().ClosePeriodsAsync();
        })));

        await using var check = await _b.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        foreach (var orgId in orgIds)
        {
            var periods = await check.Invoices.Where(i => i.OrganizationId == orgId).Select(i => i.PeriodStart).ToListAsync();
            Assert.Equal(3, periods.Count); // the three ended months since the organization was created
            Assert.Equal(periods.Count, periods.Distinct().Count());
            Assert.Equal(3, await check.AuditEvents.CountAsync(e => e.OrganizationId == orgId && e.Action == "invoice.issued"));
            await using var scope = _a.Services.CreateAsyncScope();
            var chain = await scope.ServiceProvider.GetRequiredService<AuditLog>().VerifyAsync(orgId);
            Assert.True(chain.IsIntact, chain.Message);
        }
    }
}
