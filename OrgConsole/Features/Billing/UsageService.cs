using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

/// <summary>One record as the metering pipeline sends it; every field is checked before anything is stored.</summary>
public sealed record UsageRecordInput(string? Id, string? ProjectId, string? Date, string? Metric, decimal? Quantity);

public sealed record UsageIngestProblem(int Index, string Field, string Message);

public sealed record UsageIngestResult(int Accepted, int Duplicates, IReadOnlyList<Guid> Organizations);

public sealed record UsageReportRow(Guid ProjectId, string ProjectName, UsageMetric Metric, decimal Quantity, decimal EstimatedCharge);

public sealed record UsageDailyPoint(Guid ProjectId, DateOnly Day, UsageMetric Metric, decimal Quantity);

public sealed record UsageReport(DateOnly From, DateOnly To, Plan Plan, IReadOnlyList<UsageReportRow> Rows, IReadOnlyList<UsageDailyPoint> Daily);

/// <summary>Metered usage (SPEC §5): ingestion from the metering pipeline, and the usage report of an organization.</summary>
public sealed class UsageService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time)
{
    public const int MaxBatchSize = 10_000;
    public const int MaxRecordIdLength = 100;
    public const int MaxRangeDays = 366;
    public static readonly decimal MaxQuantity = 1_000_000_000_000_000m;
    public static readonly Actor MeteringPipeline = new(ActorType.System, "metering", "Metering pipeline");

    /// <summary>
    /// Stores a batch, idempotently on each record's id: a record sent again is counted as a duplicate and changes nothing.
    /// A batch with any bad record (or a known id with different values) is refused whole — nothing of it is stored.
    /// The caller (the ingestion endpoint) has already authenticated the pipeline.
    /// </summary>
    public async Task<Result<UsageIngestResult>> IngestAsync(IReadOnlyList<UsageRecordInput>? batch, CancellationToken ct = default)
    {
        if (batch is null || batch.Count == 0) return Error.Validation("records", "The batch has no records.");
        if (batch.Count > MaxBatchSize) return Error.Validation("records", $"A batch holds at most {MaxBatchSize} records; this one has {batch.Count}.");

        var problems = new List<UsageIngestProblem>();
        var parsed = new List<(string Id, Guid ProjectId, DateOnly Day, UsageMetric Metric, decimal Quantity)>();
        var today = DateOnly.FromDateTime(time.UtcNow());
        for (var i = 0; i < batch.Count; i++)
        {
            var r = batch[i];
            if (r is null) { problems.Add(new(i, "record", "The record is empty.")); continue; }
            var id = r.Id?.Trim();
            if (string.IsNullOrEmpty(id)) problems.Add(new(i, "id", "Every record needs an id."));
            else if (id.Length > MaxRecordIdLength) problems.Add(new(i, "id", $"A record id has at most {MaxRecordIdLength} characters."));
            if (!Guid.TryParse(r.ProjectId, out var projectId)) problems.Add(new(i, "project_id", "project_id must be a project's id."));
            if (!DateOnly.TryParseExact(r.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) problems.Add(new(i, "date", "date must be a day as yyyy-MM-dd."));
            else if (day > today) problems.Add(new(i, "date", $"{r.Date} is in the future."));
            var metric = Money.ParseMetric(r.Metric);
            if (metric is null) problems.Add(new(i, "metric", "metric must be read_units, write_units or storage_gb_hours."));
            if (r.Quantity is not { } quantity) problems.Add(new(i, "quantity", "quantity must be a number."));
            else if (quantity < 0) problems.Add(new(i, "quantity", "quantity cannot be negative."));
            else if (quantity > MaxQuantity) problems.Add(new(i, "quantity", "quantity is too large."));
            if (problems.Count == 0 || problems[^1].Index != i)
            {
                parsed.Add((id!, projectId, day, metric!.Value, r.Quantity!.Value));
            }
        }
        foreach (var group in parsed.GroupBy(p => p.Id).Where(g => g.Distinct().Count() > 1))
        {
            problems.Add(new(batch.ToList().FindIndex(r => r?.Id?.Trim() == group.Key), "id", $"The id {group.Key} appears twice in the batch with different values."));
        }
        if (problems.Count > 0) return Refused(problems);

        var unique = parsed.Distinct().ToList();
        return await dbFactory.WriteAsync<UsageIngestResult>(async db =>
        {
            var projectIds = unique.Select(p => p.ProjectId).Distinct().ToList();
            var projects = await db.Projects.AsNoTracking()
                .Where(p => projectIds.Contains(p.Id))
                .Join(db.Organizations.Where(o => o.DeletedAt == null), p => p.OrganizationId, o => o.Id, (p, o) => new { p.Id, p.OrganizationId })
                .ToDictionaryAsync(p => p.Id, p => p.OrganizationId, ct);
            var unknown = unique.Where(u => !projects.ContainsKey(u.ProjectId)).Select(u => u.ProjectId).Distinct().ToList();
            if (unknown.Count > 0)
            {
                return Refused(unknown.Select(id => new UsageIngestProblem(
                    batch.ToList().FindIndex(r => Guid.TryParse(r?.ProjectId, out var g) && g == id), "project_id", $"No project has the id {id}.")).ToList());
            }

            var ids = unique.Select(u => u.Id).ToList();
            var known = await db.UsageRecords.AsNoTracking().Where(u => ids.Contains(u.RecordId)).ToDictionaryAsync(u => u.RecordId, ct);
            var conflicts = unique.Where(u => known.TryGetValue(u.Id, out var k) && (k.ProjectId, k.Day, k.Metric, k.Quantity) != (u.ProjectId, u.Day, u.Metric, u.Quantity)).ToList();
            if (conflicts.Count > 0)
            {
                return Error.Conflict($"These record ids were stored earlier with different values; nothing of this batch was stored: {string.Join(", ", conflicts.Select(c => c.Id).Take(20))}.");
            }

            var now = time.UtcNow();
            var fresh = unique.Where(u => !known.ContainsKey(u.Id)).ToList();
            foreach (var u in fresh)
            {
                db.UsageRecords.Add(new UsageRecord
                {
                    Id = Guid.NewGuid(), RecordId = u.Id, OrganizationId = projects[u.ProjectId], ProjectId = u.ProjectId,
                    Day = u.Day, Metric = u.Metric, Quantity = u.Quantity, ReceivedAt = now,
                });
            }
            var organizations = fresh.Select(f => projects[f.ProjectId]).Distinct().ToList();
            foreach (var orgId in organizations)
            {
                var mine = fresh.Where(f => projects[f.ProjectId] == orgId).ToList();
                await audit.AppendAsync(db, MeteringPipeline, orgId, new AuditEntry("usage.ingested", "usage", null,
                    After: new { Records = mine.Count, From = mine.Min(m => m.Day), To = mine.Max(m => m.Day) }), ct);
            }
            return new UsageIngestResult(fresh.Count, unique.Count - fresh.Count + (parsed.Count - unique.Count), organizations);
        }, ct);
    }

    private static Error Refused(IReadOnlyList<UsageIngestProblem> problems)
    {
        var fields = problems.Take(50).GroupBy(p => $"records[{p.Index}].{p.Field}").ToDictionary(g => g.Key, g => g.First().Message);
        var first = problems[0];
        var message = $"Nothing was stored: {problems.Count} problem{(problems.Count == 1 ? "" : "s")} in the batch. First: record {first.Index}, {first.Field}: {first.Message}";
        return new Error(ErrorKind.Validation, message, fields);
    }

    /// <summary>The organization's usage from <paramref name="from"/> to <paramref name="to"/> (both inclusive), by project and metric, and per day.</summary>
    public async Task<Result<UsageReport>> GetReportAsync(Guid organizationId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewUsageDetails, ct);
        if (!access.IsSuccess) return access.Error;
        if (to < from) return Error.Validation("Range", "The end of the range is before its start.");
        if (to.DayNumber - from.DayNumber + 1 > MaxRangeDays) return Error.Validation("Range", $"Choose a range of at most {MaxRangeDays} days.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inRange = db.UsageRecords.AsNoTracking().Where(u => u.OrganizationId == organizationId && u.Day >= from && u.Day <= to);
        var byProject = await inRange.GroupBy(u => new { u.ProjectId, u.Metric })
            .Select(g => new { g.Key.ProjectId, g.Key.Metric, Quantity = g.Sum(u => u.Quantity) }).ToListAsync(ct);
        var daily = await inRange.GroupBy(u => new { u.ProjectId, u.Day, u.Metric })
            .Select(g => new { g.Key.ProjectId, g.Key.Day, g.Key.Metric, Quantity = g.Sum(u => u.Quantity) }).ToListAsync(ct);
        var names = await ProjectNamesAsync(db, organizationId, byProject.Select(p => p.ProjectId), ct);
        var prices = PlanLimits.For(access.Value.Plan).Prices;
        var rows = byProject
            .Select(p => new UsageReportRow(p.ProjectId, names[p.ProjectId], p.Metric, p.Quantity, Money.ToCents(p.Quantity * prices.UnitPrice(p.Metric))))
            .OrderBy(r => r.ProjectName, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Metric).ToList();
        return new UsageReport(from, to, access.Value.Plan, rows,
            daily.Select(d => new UsageDailyPoint(d.ProjectId, d.Day, d.Metric, d.Quantity)).OrderBy(d => d.Day).ThenBy(d => d.Metric).ToList());
    }

    /// <summary>The usage of a range as CSV: one row per project, day and metric.</summary>
    public async Task<Result<string>> ExportCsvAsync(Guid organizationId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewUsageDetails, ct);
        if (!access.IsSuccess) return access.Error;
        if (to < from) return Error.Validation("Range", "The end of the range is before its start.");
        if (to.DayNumber - from.DayNumber + 1 > MaxRangeDays) return Error.Validation("Range", $"Choose a range of at most {MaxRangeDays} days.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.UsageRecords.AsNoTracking().Where(u => u.OrganizationId == organizationId && u.Day >= from && u.Day <= to)
            .GroupBy(u => new { u.ProjectId, u.Day, u.Metric })
            .Select(g => new { g.Key.ProjectId, g.Key.Day, g.Key.Metric, Quantity = g.Sum(u => u.Quantity) }).ToListAsync(ct);
        var names = await ProjectNamesAsync(db, organizationId, rows.Select(r => r.ProjectId), ct);
        var csv = new StringBuilder("date,project_id,project,metric,quantity\n");
        foreach (var r in rows.OrderBy(r => r.Day).ThenBy(r => names[r.ProjectId], StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Metric))
        {
            csv.Append(r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',').Append(r.ProjectId).Append(',')
                .Append(Csv.Field(names[r.ProjectId])).Append(',').Append(r.Metric.WireName()).Append(',')
                .Append(InvoicePdf.Normalize(r.Quantity).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>Project names by id; a project deleted since keeps its usage under a neutral name.</summary>
    internal static async Task<Dictionary<Guid, string>> ProjectNamesAsync(ApplicationDbContext db, Guid organizationId, IEnumerable<Guid> projectIds, CancellationToken ct)
    {
        var ids = projectIds.Distinct().ToList();
        var names = await db.Projects.AsNoTracking().Where(p => p.OrganizationId == organizationId && ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        foreach (var id in ids.Where(id => !names.ContainsKey(id))) names[id] = $"Deleted project {id.ToString()[..8]}";
        return names;
    }
}
