using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>One organization's chain head as it was at <see cref="At"/>; <see cref="Kind"/> is "head" or "rekeyed".</summary>
public sealed record AuditCheckpoint(string Chain, long Sequence, string Hash, DateTime At, string Kind);

/// <summary>What the checkpoint sink holds for one chain: its latest genuine checkpoint, and lines whose signature is wrong.</summary>
public sealed record CheckpointHistory(AuditCheckpoint? Latest, int ForgedLines);

/// <summary>Somewhere outside the database that only ever grows: a file by default (an object store with retention would do too).</summary>
public interface IAuditCheckpointSink
{
    Task AppendAsync(IReadOnlyList<string> lines, CancellationToken ct = default);

    Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken ct = default);
}

/// <summary>The default sink: lines appended to <see cref="AuditOptions.CheckpointPath"/>. Put it on append-only storage (chattr +a, WORM).</summary>
public sealed class FileAuditCheckpointSink(IOptions<AuditOptions> options) : IAuditCheckpointSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private string Path => !string.IsNullOrWhiteSpace(options.Value.CheckpointPath) ? options.Value.CheckpointPath
        : throw new InvalidOperationException("Set Audit:CheckpointPath: the file audit chain heads are checkpointed to.");

    public async Task AppendAsync(IReadOnlyList<string> lines, CancellationToken ct = default)
    {
        if (lines.Count == 0) return;
        await _gate.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            await using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            await file.WriteAsync(bytes, ct);
            await file.FlushAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken ct = default)
    {
        if (!File.Exists(Path)) return [];
        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line) lines.Add(line);
        return lines;
    }
}

/// <summary>Signs checkpoints into the sink and reads back the genuine ones (HMAC with a key derived from the chain key).</summary>
public sealed class AuditCheckpointLog(IAuditCheckpointSink sink, AuditChainKey key)
{
    private sealed record Line(string Chain, long Seq, string Hash, DateTime At, string Kind, string Key, string Sig);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task WriteAsync(IEnumerable<AuditCheckpoint> checkpoints, CancellationToken ct = default) =>
        sink.AppendAsync(checkpoints.Select(c => JsonSerializer.Serialize(new Line(c.Chain, c.Sequence, c.Hash, c.At, c.Kind, key.Id,
            key.SignCheckpoint(Canonical(c.Chain, c.Sequence, c.Hash, c.At, c.Kind, key.Id))), Json)).ToList(), ct);

    /// <summary>The latest genuine checkpoint of every chain.</summary>
    public async Task<IReadOnlyDictionary<string, AuditCheckpoint>> LatestAsync(CancellationToken ct = default)
    {
        var latest = new Dictionary<string, AuditCheckpoint>();
        foreach (var (checkpoint, genuine) in await ReadAsync(ct))
        {
            if (genuine && (!latest.TryGetValue(checkpoint.Chain, out var seen) || checkpoint.Sequence >= seen.Sequence)) latest[checkpoint.Chain] = checkpoint;
        }
        return latest;
    }

    public async Task<CheckpointHistory> HistoryAsync(string chain, CancellationToken ct = default)
    {
        AuditCheckpoint? latest = null;
        var forged = 0;
        foreach (var (checkpoint, genuine) in await ReadAsync(ct))
        {
            if (checkpoint.Chain != chain) continue;
            if (!genuine) forged++;
            else if (latest is null || checkpoint.Sequence >= latest.Sequence) latest = checkpoint;
        }
        return new CheckpointHistory(latest, forged);
    }

    /// <summary>
    /// Every readable line of the current key with whether its signature holds. Lines of another key (before a key change)
    /// cannot be checked and are left out; a line cut short by a crash is not an attack and is skipped.
    /// </summary>
    private async Task<List<(AuditCheckpoint Checkpoint, bool Genuine)>> ReadAsync(CancellationToken ct)
    {
        var result = new List<(AuditCheckpoint, bool)>();
        foreach (var text in await sink.ReadAllAsync(ct))
        {
            Line? line;
            try
            {
                line = JsonSerializer.Deserialize<Line>(text, Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (line?.Chain is null || line.Hash is null || line.Kind is null || line.Key != key.Id) continue;
            var genuine = AuditChainKey.SameHex(line.Sig, key.SignCheckpoint(Canonical(line.Chain, line.Seq, line.Hash, line.At, line.Kind, line.Key)));
            result.Add((new AuditCheckpoint(line.Chain, line.Seq, line.Hash, line.At, line.Kind), genuine));
        }
        return result;
    }

    private static string Canonical(string chain, long seq, string hash, DateTime at, string kind, string keyId) =>
        JsonSerializer.Serialize(new object[] { "checkpoint-v1", chain, seq, hash, at.ToUniversalTime().ToString("O"), kind, keyId });
}

/// <summary>
/// Checkpoints every organization's chain head to the sink, so deleting the newest events (or rewriting the chain) from the
/// database alone is detected. Chains whose head predates keyed sealing are first re-anchored with an "audit.chain_rekeyed"
/// event, sealed with the key, and recorded as a "rekeyed" checkpoint.
/// </summary>
public sealed class AuditCheckpoints(IDbContextFactory<ApplicationDbContext> dbFactory, AuditLog audit, AuditCheckpointLog log, AuditChainKey key, TimeProvider time)
{
    public const string RekeyedAction = "audit.chain_rekeyed";

    /// <summary>Writes a checkpoint for every chain whose head moved since its last one; returns how many were written.</summary>
    public async Task<int> CheckpointAsync(CancellationToken ct = default)
    {
        var rekeyed = await ReanchorLegacyChainsAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var heads = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Sequence == db.AuditEvents.Where(x => x.ChainKey == e.ChainKey).Max(x => x.Sequence))
            .Select(e => new { e.ChainKey, e.Sequence, e.Hash }).ToListAsync(ct);
        var latest = await log.LatestAsync(ct);
        var now = time.UtcNow();
        var due = heads.Where(h => !latest.TryGetValue(h.ChainKey, out var last) || last.Sequence != h.Sequence || last.Hash != h.Hash)
            .Select(h => new AuditCheckpoint(h.ChainKey, h.Sequence, h.Hash, now, rekeyed.Contains(h.ChainKey) ? "rekeyed" : "head")).ToList();
        await log.WriteAsync(due, ct);
        return due.Count;
    }

    /// <summary>Seals chains whose newest event was written before the chain was keyed (with plain SHA-256) under the key.</summary>
    private async Task<HashSet<string>> ReanchorLegacyChainsAsync(CancellationToken ct)
    {
        await using var read = await dbFactory.CreateDbContextAsync(ct);
        var legacy = await read.AuditEvents.AsNoTracking()
            .Where(e => e.KeyId == null && e.Sequence == read.AuditEvents.Where(x => x.ChainKey == e.ChainKey).Max(x => x.Sequence))
            .Select(e => new { e.ChainKey, e.OrganizationId }).ToListAsync(ct);
        var done = new HashSet<string>();
        foreach (var chain in legacy)
        {
            var result = await dbFactory.WriteAsync<bool>(async db =>
            {
                var head = await db.AuditEvents.AsNoTracking().Where(e => e.ChainKey == chain.ChainKey).OrderByDescending(e => e.Sequence)
                    .Select(e => new { e.Sequence, e.Hash, e.KeyId }).FirstAsync(ct);
                if (head.KeyId is not null) return false; // sealed meanwhile by a new event
                await audit.AppendAsync(db, Actor.System, chain.OrganizationId, new AuditEntry(RekeyedAction, "audit_chain", chain.ChainKey,
                    After: new { LegacyEvents = head.Sequence, LegacyHead = head.Hash, KeyId = key.Id }, TargetLabel: "Audit trail"), ct);
                return true;
            }, ct);
            if (result.IsSuccess && result.Value) done.Add(chain.ChainKey);
        }
        return done;
    }
}

/// <summary>Checkpoints the chain heads at start-up and then every <see cref="AuditOptions.CheckpointMinutes"/>.</summary>
public sealed class AuditCheckpointJob(IServiceScopeFactory scopes, TimeProvider time, IOptions<AuditOptions> options, ILogger<AuditCheckpointJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, options.Value.CheckpointMinutes)), time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var written = await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CheckpointAsync(stoppingToken);
                if (written > 0) logger.LogInformation("Checkpointed {Count} audit chain heads", written);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Checkpointing the audit chains failed; will retry at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
