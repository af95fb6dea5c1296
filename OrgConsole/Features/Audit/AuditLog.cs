using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>What a change records about itself; the actor, time and chain are filled in by <see cref="AuditLog"/>.</summary>
public sealed record AuditEntry(
    string Action,
    string? TargetType = null,
    string? TargetId = null,
    object? Before = null,
    object? After = null,
    Guid? ProjectId = null,
    string? Reason = null);

public sealed record ChainVerification(bool IsIntact, long EventCount, long? FirstBrokenSequence, string Message);

/// <summary>
/// Appends hash-chained audit events. Feature services call <see cref="Append"/> on the same DbContext, inside
/// the same transaction, as the change being recorded — the event and the change commit together or not at all.
/// </summary>
public sealed class AuditLog(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider time)
{
    public const string PlatformChain = "platform";
    private const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string ChainKeyOf(Guid? organizationId) => organizationId?.ToString() ?? PlatformChain;

    /// <summary>Adds one event to the context. The caller saves and commits (inside a write transaction).</summary>
    public async Task AppendAsync(ApplicationDbContext db, Actor actor, Guid? organizationId, AuditEntry entry, CancellationToken ct = default)
    {
        var chainKey = ChainKeyOf(organizationId);
        var (sequence, previousHash) = await LastOfChainAsync(db, chainKey, ct);
        var evt = new AuditEvent
        {
            ChainKey = chainKey,
            Sequence = sequence + 1,
            OrganizationId = organizationId,
            ProjectId = entry.ProjectId,
            OccurredAt = time.UtcNow(),
            ActorType = actor.Type,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = entry.Action,
            TargetType = entry.TargetType,
            TargetId = entry.TargetId,
            Before = entry.Before is null ? null : JsonSerializer.Serialize(entry.Before, Json),
            After = entry.After is null ? null : JsonSerializer.Serialize(entry.After, Json),
            IpAddress = actor.IpAddress,
            UserAgent = Truncate(actor.UserAgent, 512),
            Reason = entry.Reason,
            PreviousHash = previousHash,
            Hash = "",
        };
        evt.Hash = ComputeHash(evt);
        db.AuditEvents.Add(evt);
    }

    /// <summary>Records an event that is a change of its own (a sign-in, a failed sign-in).</summary>
    public async Task AppendStandaloneAsync(Actor actor, Guid? organizationId, AuditEntry entry, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await AppendAsync(db, actor, organizationId, entry, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Recomputes every hash of a chain and says where it breaks, if it does.</summary>
    public async Task<ChainVerification> VerifyAsync(Guid? organizationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var chainKey = ChainKeyOf(organizationId);
        var previous = Genesis;
        long expectedSequence = 1, count = 0;
        await foreach (var evt in db.AuditEvents.AsNoTracking().Where(e => e.ChainKey == chainKey).OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (evt.Sequence != expectedSequence)
                return new(false, count, expectedSequence, $"Event #{expectedSequence} is missing from the audit trail.");
            if (evt.PreviousHash != previous || ComputeHash(evt) != evt.Hash)
                return new(false, count, evt.Sequence, $"Event #{evt.Sequence} does not match its recorded hash: the audit trail was altered.");
            previous = evt.Hash;
            expectedSequence++;
        }
        return new(true, count, null, count == 0 ? "No events recorded yet." : $"All {count} events verify.");
    }

    private static async Task<(long Sequence, string Hash)> LastOfChainAsync(ApplicationDbContext db, string chainKey, CancellationToken ct)
    {
        // Events appended earlier in this same unit of work are not in the database yet.
        var pending = db.ChangeTracker.Entries<AuditEvent>()
            .Where(e => e.State == EntityState.Added && e.Entity.ChainKey == chainKey)
            .Select(e => e.Entity).OrderByDescending(e => e.Sequence).FirstOrDefault();
        if (pending is not null) return (pending.Sequence, pending.Hash);

        var last = await db.AuditEvents.AsNoTracking().Where(e => e.ChainKey == chainKey)
            .OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(ct);
        return last is null ? (0, Genesis) : (last.Sequence, last.Hash);
    }

    internal static string ComputeHash(AuditEvent e)
    {
        // A JSON array keeps field boundaries unambiguous.
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            e.ChainKey, e.Sequence, e.OrganizationId, e.ProjectId, e.OccurredAt.ToString("O"), e.ActorType.ToString(), e.ActorId,
            e.ActorName, e.Action, e.TargetType, e.TargetId, e.Before, e.After, e.IpAddress, e.UserAgent, e.Reason, e.PreviousHash,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
