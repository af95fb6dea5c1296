using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>
/// Group commit for standalone audit events (a token issued, a sign-in): the events that arrive while one batch is being
/// written are written together by the next one, in one write transaction — so a burst of requests waits for a few
/// commits instead of queueing one by one behind the database's single writer. Every caller's event is chained and
/// committed (durable) before its <see cref="AppendAsync"/> completes; when a batch fails, each of its events is tried
/// again on its own, so one bad event fails only its own caller, and a caller is told success only once its event is in.
/// </summary>
public sealed class AuditBatchWriter : IAsyncDisposable, IDisposable
{
    /// <summary>The most events one transaction takes (the chain lookup for pending events is linear in the batch).</summary>
    public const int MaxBatch = 128;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<AuditBatchWriter> _logger;
    private readonly Task _loop;

    public AuditBatchWriter(IServiceScopeFactory scopes, ILogger<AuditBatchWriter> logger)
    {
        _scopes = scopes;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>How many transactions and events have been written (for the benchmark and tests).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public long Events => Interlocked.Read(ref _events);
    private long _batches, _events;

    /// <summary>
    /// Appends one event in a transaction shared with concurrent callers; completes when it is committed, throws what
    /// stopped it from being committed. Cancelling stops the wait, not the write (an event is never withdrawn).
    /// </summary>
    public Task AppendAsync(Actor actor, Guid? organizationId, AuditEntry entry, CancellationToken ct = default)
    {
        var pending = new Pending(actor, organizationId, entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(AuditBatchWriter), "The audit writer is shutting down.");
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count == 0) continue;
            try
            {
                await WriteAsync(batch);
            }
            catch (Exception ex)
            {
                if (batch.Count > 1)
                {
                    _logger.LogWarning(ex, "An audit batch of {Count} events failed; writing them one by one", batch.Count);
                    foreach (var one in batch) await WriteAloneAsync(one);
                }
                else
                {
                    batch[0].Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task WriteAloneAsync(Pending pending)
    {
        try
        {
            await WriteAsync([pending]);
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex);
        }
    }

    /// <summary>One transaction for the batch; completes each caller after the commit.</summary>
    private async Task WriteAsync(IReadOnlyList<Pending> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<AuditLog>();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await using var tx = await db.BeginWriteTransactionAsync();
        foreach (var pending in batch) await log.AppendAsync(db, pending.Actor, pending.OrganizationId, pending.Entry);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _events, batch.Count);
        foreach (var pending in batch) pending.Done.TrySetResult();
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(30));
    }

    private sealed record Pending(Actor Actor, Guid? OrganizationId, AuditEntry Entry, TaskCompletionSource Done);
}
