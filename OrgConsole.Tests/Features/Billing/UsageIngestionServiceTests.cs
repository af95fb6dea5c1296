using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Plans;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.Features.Billing.BillingTestData;

namespace OrgConsole.Tests.Features.Billing;

public class UsageIngestionServiceTests
{
    private static async Task<int> StoredAsync(TestDb db)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        return await ctx.UsageRecords.CountAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Ingest_TheSameRecordsAgain_StoresThemOnce()
    {
        await using var db = await TestDb.CreateAsync();
        var (_, _, _, project) = await db.StandardOrgAsync(withCard: false);
        UsageRecordInput[] batch = [Record("a", project, "2026-10-01", "read_units", 10m), Record("b", project, "2026-10-01", "write_units", 5m)];
        var usage = db.Service<UsageService>(null);

        var first = await usage.IngestAsync(batch);
        var second = await usage.IngestAsync([.. batch, Record("c", project, "2026-10-02", "read_units", 1m)]);

        Assert.Equal((2, 0), (first.Value.Accepted, first.Value.Duplicates));
        Assert.Equal((1, 2), (second.Value.Accepted, second.Value.Duplicates));
        Assert.Equal(3, await StoredAsync(db));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("", "2026-10-01", "read_units", "1", "records[1].id")]
    [InlineData("x", "2026-13-01", "read_units", "1", "records[1].date")]
    [InlineData("x", "2026-10-01", "reads", "1", "records[1].metric")]
    [InlineData("x", "2026-10-01", "read_units", "-1", "records[1].quantity")]
    [InlineData("x", "2026-10-01", "read_units", null, "records[1].quantity")]
    [InlineData("x", "2026-11-02", "read_units", "1", "records[1].date")] // tomorrow
    public async Task Ingest_ABatchWithOneBadRecord_StoresNothing_AndNamesTheRecord(string id, string date, string metric, string? quantity, string field)
    {
        await using var db = await TestDb.CreateAsync();
        var (_, _, _, project) = await db.StandardOrgAsync(withCard: false);

        var result = await db.Service<UsageService>(null).IngestAsync(
            [Record("good", project, "2026-10-01", "read_units", 1m), Record(id, project, date, metric, quantity is null ? null : decimal.Parse(quantity))]);

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.NotNull(result.Error?.For(field));
        Assert.StartsWith("Nothing was stored", result.Error?.Message);
        Assert.Equal(0, await StoredAsync(db));
    }

    [Fact(Timeout = 60_000)]
    public async Task Ingest_AnUnknownProject_StoresNothing()
    {
        await using var db = await TestDb.CreateAsync();
        var (_, _, _, project) = await db.StandardOrgAsync(withCard: false);

        var result = await db.Service<UsageService>(null).IngestAsync(
            [Record("good", project, "2026-10-01", "read_units", 1m), Record("bad", Guid.NewGuid(), "2026-10-01", "read_units", 1m)]);

        Assert.Contains("No project has the id", result.Error?.Message);
        Assert.Equal(0, await StoredAsync(db));
    }

    [Fact(Timeout = 60_000)]
    public async Task Ingest_AKnownIdWithDifferentValues_IsAConflict_AndStoresNothingOfTheBatch()
    {
        await using var db = await TestDb.CreateAsync();
        var (_, _, _, project) = await db.StandardOrgAsync(withCard: false);
        await db.IngestAsync(Record("a", project, "2026-10-01", "read_units", 10m));

        var result = await db.Service<UsageService>(null).IngestAsync(
            [Record("new", project, "2026-10-02", "read_units", 1m), Record("a", project, "2026-10-01", "read_units", 11m)]);

        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.Equal(1, await StoredAsync(db));
    }

    [Fact(Timeout = 60_000)]
    public async Task Report_SumsByProjectAndMetric_AndByDay_WithinTheRange()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, search) = await db.StandardOrgAsync(withCard: false);
        var analytics = await db.AddProjectAsync(orgId, "Analytics");
        await db.IngestAsync(
            Record("1", search, "2026-10-01", "read_units", 1_000_000m),
            Record("2", search, "2026-10-02", "read_units", 500_000m),
            Record("3", analytics, "2026-10-02", "storage_gb_hours", 24m),
            Record("4", search, "2026-09-30", "read_units", 7m)); // outside the range

        var report = (await db.Service<UsageService>(admin).GetReportAsync(orgId, new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31))).Value;
        var csv = (await db.Service<UsageService>(admin).ExportCsvAsync(orgId, new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31))).Value;

        Assert.Equal([("Analytics", UsageMetric.StorageGbHours, 24m), ("Search", UsageMetric.ReadUnits, 1_500_000m)],
            report.Rows.Select(r => (r.ProjectName, r.Metric, r.Quantity)));
        Assert.Equal(24.00m, report.Rows[1].EstimatedCharge);
        Assert.Equal(3, report.Daily.Count);
        Assert.Equal(4, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("2026-10-02," + analytics + ",Analytics,storage_gb_hours,24", csv);
    }
}
