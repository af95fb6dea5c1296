using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

/// <summary>
/// The demo organization's billing: a billing contact, ~90 days of metered usage for its projects (a fixed pseudo-random
/// pattern, so every fresh demo looks the same), and the invoices of the months that have ended.
/// </summary>
public sealed class BillingDemoData(IDbContextFactory<ApplicationDbContext> dbFactory, AuditLog audit, TimeProvider time, InvoiceService invoices)
{
    public const int Days = 90;

    public async Task SeedAsync(Guid organizationId, CancellationToken ct = default)
    {
        var today = DateOnly.FromDateTime(time.UtcNow());
        var first = today.AddDays(-Days);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        await using (var tx = await db.BeginWriteTransactionAsync(ct))
        {
            var projects = await db.Projects.AsNoTracking().Where(p => p.OrganizationId == organizationId).OrderBy(p => p.Name).ToListAsync(ct);
            var random = new Random(20261101);
            var now = time.UtcNow();
            foreach (var (project, index) in projects.Select((p, i) => (p, i)))
            {
                var scale = index == 0 ? 0.25m : 1m; // Analytics is the smaller project, Search the busy one
                for (var day = first; day < today; day = day.AddDays(1))
                {
                    var weekday = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.6m : 1m;
                    var growth = 1m + (day.DayNumber - first.DayNumber) / 180m;
                    void Add(UsageMetric metric, decimal quantity) => db.UsageRecords.Add(new UsageRecord
                    {
                        Id = Guid.NewGuid(), RecordId = $"demo-{project.Id:N}-{day:yyyyMMdd}-{metric.WireName()}", OrganizationId = organizationId,
                        ProjectId = project.Id, Day = day, Metric = metric, Quantity = quantity, ReceivedAt = now,
                    });
                    Add(UsageMetric.ReadUnits, decimal.Round(scale * weekday * growth * random.Next(150_000, 300_000)));
                    Add(UsageMetric.WriteUnits, decimal.Round(scale * weekday * growth * random.Next(40_000, 80_000)));
                    Add(UsageMetric.StorageGbHours, decimal.Round(24m * scale * growth * (5m + random.Next(0, 100) / 100m), 2));
                }
            }
            db.BillingAccounts.Add(new BillingAccount
            {
                OrganizationId = organizationId, ContactName = "Bea Billing", ContactEmail = "billing@acme.example",
                AddressLine1 = "1 Market Street", City = "San Francisco", PostalCode = "94105", Country = "United States",
                SpendAlertThreshold = 500m, SpendAlertRecipients = "billing@acme.example", UpdatedAt = now,
            });
            await audit.AppendAsync(db, Actor.System, organizationId, new AuditEntry("usage.ingested", "usage", null,
                After: new { Records = projects.Count * Days * 3, From = first, To = today.AddDays(-1), Source = "demo seed" }), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await invoices.ClosePeriodsAsync(ct);
    }
}
