using System.Text;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>Filters of the audit log page. Text filters match anywhere in the field, case-insensitively.</summary>
public sealed record AuditQuery(
    string? Actor = null,
    ActorType? ActorType = null,
    string? Action = null,
    string? Target = null,
    DateTime? From = null,
    DateTime? To = null,
    int Page = 0,
    int PageSize = 50)
{
    public const int MaxPageSize = 200;
}

public sealed record AuditRow(long Sequence, DateTime OccurredAt, ActorType ActorType, string? ActorId, string? ActorName, string Action,
    string? TargetType, string? TargetId, Guid? ProjectId, string? Before, string? After, string? IpAddress, string? UserAgent, string? Reason,
    string? ActorLabel = null, string? TargetLabel = null)
{
    /// <summary>Who did it, as people read it: "Eli Engineer (eli@acme.example)".</summary>
    public string Actor => ActorLabel ?? ActorName ?? ActorId ?? "";

    /// <summary>What it was done to, as people read it: "project Search", "user Eli Engineer (eli@acme.example)".</summary>
    public string Target => TargetType is null ? "" : $"{TargetType} {TargetLabel ?? TargetId}";
}

public sealed record AuditPage(IReadOnlyList<AuditRow> Items, int TotalCount);

/// <summary>Reads an organization's audit trail for its owners (and support staff in a support session): SPEC §9.</summary>
public sealed class AuditQueryService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit)
{
    public async Task<Result<AuditPage>> SearchAsync(Guid organizationId, AuditQuery query, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAuditLog, ct);
        if (!access.IsSuccess) return access.Error;
        if (query.Page < 0 || query.PageSize is < 1 or > AuditQuery.MaxPageSize)
        {
            return Error.Validation("PageSize", $"Pages hold 1 to {AuditQuery.MaxPageSize} events.");
        }
        if (query.From > query.To) return Error.Validation("From", "The start of the date range is after its end.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = Filter(db, organizationId, query);
        var total = await events.CountAsync(ct);
        var rows = await events.OrderByDescending(e => e.Sequence).Skip(query.Page * query.PageSize).Take(query.PageSize)
            .Select(Row).ToListAsync(ct);
        return new AuditPage(rows, total);
    }

    /// <summary>The filtered events, oldest first, as CSV.</summary>
    public async Task<Result<string>> ExportCsvAsync(Guid organizationId, AuditQuery query, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAuditLog, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var csv = new StringBuilder("sequence,occurred_at,actor_type,actor,actor_id,action,target_type,target,target_id,project_id,before,after,ip_address,user_agent,reason\n");
        await foreach (var e in Filter(db, organizationId, query).OrderBy(e => e.Sequence).Select(Row).AsAsyncEnumerable().WithCancellation(ct))
        {
            csv.AppendJoin(',', e.Sequence.ToString(), e.OccurredAt.ToString("O"), e.ActorType.ToString(), Csv.Field(e.Actor), Csv.Field(e.ActorId),
                Csv.Field(e.Action), Csv.Field(e.TargetType), Csv.Field(e.TargetLabel), Csv.Field(e.TargetId), e.ProjectId?.ToString() ?? "", Csv.Field(e.Before), Csv.Field(e.After),
                Csv.Field(e.IpAddress), Csv.Field(e.UserAgent), Csv.Field(e.Reason)).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>Recomputes the organization's hash chain: whether its trail is intact.</summary>
    public async Task<Result<ChainVerification>> VerifyAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAuditLog, ct);
        if (!access.IsSuccess) return access.Error;
        return await audit.VerifyAsync(organizationId, ct);
    }

    private static IQueryable<AuditEvent> Filter(ApplicationDbContext db, Guid organizationId, AuditQuery query)
    {
        var chain = AuditLog.ChainKeyOf(organizationId);
        var events = db.AuditEvents.AsNoTracking().Where(e => e.ChainKey == chain);
        if (Text(query.Actor) is { } actor) events = events.Where(e => (e.ActorLabel ?? "").ToUpper().Contains(actor) || (e.ActorName ?? "").ToUpper().Contains(actor) || (e.ActorId ?? "").ToUpper().Contains(actor));
        if (query.ActorType is { } type) events = events.Where(e => e.ActorType == type);
        if (Text(query.Action) is { } action) events = events.Where(e => e.Action.ToUpper().Contains(action));
        if (Text(query.Target) is { } target) events = events.Where(e => (e.TargetLabel ?? "").ToUpper().Contains(target) || (e.TargetId ?? "").ToUpper().Contains(target) || (e.TargetType ?? "").ToUpper().Contains(target));
        if (query.From is { } from) events = events.Where(e => e.OccurredAt >= from);
        if (query.To is { } to) events = events.Where(e => e.OccurredAt <= to);
        return events;
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToUpperInvariant();

    private static readonly System.Linq.Expressions.Expression<Func<AuditEvent, AuditRow>> Row = e => new AuditRow(e.Sequence, e.OccurredAt, e.ActorType,
        e.ActorId, e.ActorName, e.Action, e.TargetType, e.TargetId, e.ProjectId, e.Before, e.After, e.IpAddress, e.UserAgent, e.Reason, e.ActorLabel, e.TargetLabel);
}
