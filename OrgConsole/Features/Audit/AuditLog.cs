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
    string? Reason = null,
    string? TargetLabel = null);

/// <summary>The result of checking one chain: against its seals, and against its latest checkpoint outside the database.</summary>
public sealed record ChainVerification(bool IsIntact, long EventCount, long? FirstBrokenSequence, string Message, AuditCheckpoint? Checkpoint = null);

/// <summary>
/// Appends chained audit events sealed with an HMAC whose key is outside the database (<see cref="AuditChainKey"/>).
/// Feature services call <see cref="AppendAsync"/> on the same DbContext, inside the same transaction, as the change
/// being recorded — the event and the change commit together or not at all.
/// </summary>
public sealed class AuditLog(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider time, AuditChainKey key, AuditCheckpointLog checkpoints,
    AuditBatchWriter batches)
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
        var before = entry.Before is null ? null : JsonSerializer.Serialize(entry.Before, Json);
        var after = entry.After is null ? null : JsonSerializer.Serialize(entry.After, Json);
        var evt = new AuditEvent
        {
            ChainKey = chainKey,
            Sequence = sequence + 1,
            OrganizationId = organizationId,
            ProjectId = entry.ProjectId,
            // Microseconds: what PostgreSQL's timestamp keeps, so the sealed time is the time read back (SQLite keeps ticks).
            OccurredAt = ToMicroseconds(time.UtcNow()),
            ActorType = actor.Type,
            ActorId = actor.Id,
            ActorName = actor.Name,
            ActorLabel = await AuditLabels.ActorAsync(db, actor, ct),
            Action = entry.Action,
            TargetType = entry.TargetType,
            TargetId = entry.TargetId,
            TargetLabel = await AuditLabels.TargetAsync(db, entry, before, after, ct),
            Before = before,
            After = after,
            IpAddress = actor.IpAddress,
            UserAgent = Truncate(actor.UserAgent, 512),
            Reason = entry.Reason,
            KeyId = key.Id,
            PreviousHash = previousHash,
            Hash = "",
        };
        evt.Hash = key.Seal(Canonical(evt));
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

    /// <summary>
    /// Records an event that is a change of its own, in a transaction shared with the events other requests record at
    /// the same moment (<see cref="AuditBatchWriter"/>): for hot paths such as issuing tokens. Returns once it is committed.
    /// </summary>
    public Task AppendBatchedAsync(Actor actor, Guid? organizationId, AuditEntry entry, CancellationToken ct = default) =>
        batches.AppendAsync(actor, organizationId, entry, ct);

    /// <summary>
    /// Checks a chain: every event's seal with the key (an edit, or a chain recomputed without the key, breaks it), that
    /// sequences are contiguous, that nothing unsealed follows sealed events, and that the chain still reaches its latest
    /// checkpoint outside the database (deleting the newest events, or rewriting the chain, breaks that).
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(Guid? organizationId, CancellationToken ct = default)
    {
        var chainKey = ChainKeyOf(organizationId);
        var history = await checkpoints.HistoryAsync(chainKey, ct);
        var checkpoint = history.Latest;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var previous = Genesis;
        long expectedSequence = 1, count = 0, legacy = 0;
        string? hashAtCheckpoint = null;
        await foreach (var evt in db.AuditEvents.AsNoTracking().Where(e => e.ChainKey == chainKey).OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (evt.Sequence != expectedSequence)
                return new(false, count, expectedSequence, $"Event #{expectedSequence} is missing from the audit trail.", checkpoint);
            if (evt.KeyId is null)
            {
                if (legacy != count - 1)
                    return new(false, count, evt.Sequence, $"Event #{evt.Sequence} is not sealed with the server's key although earlier events are: the audit trail was rewritten.", checkpoint);
                legacy++;
                if (evt.PreviousHash != previous || LegacyHash(evt) != evt.Hash)
                    return new(false, count, evt.Sequence, $"Event #{evt.Sequence} does not match its recorded hash: the audit trail was altered.", checkpoint);
            }
            else if (evt.KeyId != key.Id)
            {
                return new(false, count, evt.Sequence, $"Event #{evt.Sequence} is sealed with a key this server does not hold ({evt.KeyId}): the audit trail was rewritten, or Audit:ChainKey changed.", checkpoint);
            }
            else if (evt.PreviousHash != previous || !AuditChainKey.SameHex(key.Seal(Canonical(evt)), evt.Hash))
            {
                return new(false, count, evt.Sequence, $"Event #{evt.Sequence} does not match its seal: the audit trail was altered.", checkpoint);
            }
            if (evt.Sequence == checkpoint?.Sequence) hashAtCheckpoint = evt.Hash;
            previous = evt.Hash;
            expectedSequence++;
        }

        if (legacy > 0 && legacy == count)
            return new(false, count, 1, $"None of the {count} events is sealed with the server's key: the trail was written before keyed sealing and not re-anchored, or rewritten.", checkpoint);
        if (history.ForgedLines > 0)
            return new(false, count, null, $"The checkpoint file holds {history.ForgedLines} entr{(history.ForgedLines == 1 ? "y" : "ies")} for this trail with a wrong signature: someone wrote to it.", checkpoint);
        if (checkpoint is not null)
        {
            var gone = count + 1 == checkpoint.Sequence ? $"Event #{checkpoint.Sequence} was" : $"Events #{count + 1} to #{checkpoint.Sequence} were";
            if (count < checkpoint.Sequence)
                return new(false, count, count + 1, $"{gone} deleted: the checkpoint of {checkpoint.At:yyyy-MM-dd HH:mm} UTC recorded {checkpoint.Sequence} events, the database now holds {count}.", checkpoint);
            if (hashAtCheckpoint != checkpoint.Hash)
                return new(false, count, checkpoint.Sequence, $"Event #{checkpoint.Sequence} differs from the checkpoint of {checkpoint.At:yyyy-MM-dd HH:mm} UTC: the audit trail was rewritten.", checkpoint);
        }
        var through = checkpoint is null ? "" : $" Checkpointed through #{checkpoint.Sequence} at {checkpoint.At:yyyy-MM-dd HH:mm} UTC.";
        return new(true, count, null, count == 0 ? "No events recorded yet." : $"All {count} events verify.{through}", checkpoint);
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

    /// <summary>Every sealed field in order, as a JSON array, which keeps field boundaries unambiguous.</summary>
    internal static string Canonical(AuditEvent e) => JsonSerializer.Serialize(new object?[]
    {
        "v2", e.KeyId, e.ChainKey, e.Sequence, e.OrganizationId, e.ProjectId, e.OccurredAt.ToString("O"), e.ActorType.ToString(), e.ActorId,
        e.ActorName, e.ActorLabel, e.Action, e.TargetType, e.TargetId, e.TargetLabel, e.Before, e.After, e.IpAddress, e.UserAgent, e.Reason, e.PreviousHash,
    });

    /// <summary>How events were hashed before the chain was keyed (plain SHA-256, labels not yet recorded).</summary>
    internal static string LegacyHash(AuditEvent e)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            e.ChainKey, e.Sequence, e.OrganizationId, e.ProjectId, e.OccurredAt.ToString("O"), e.ActorType.ToString(), e.ActorId,
            e.ActorName, e.Action, e.TargetType, e.TargetId, e.Before, e.After, e.IpAddress, e.UserAgent, e.Reason, e.PreviousHash,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static DateTime ToMicroseconds(DateTime value) => new(value.Ticks - value.Ticks % 10, value.Kind);

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
