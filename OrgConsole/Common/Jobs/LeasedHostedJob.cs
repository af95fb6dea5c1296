using Microsoft.EntityFrameworkCore;
using OrgConsole.Data;

namespace OrgConsole.Common.Jobs;

/// <summary>
/// A background job that runs at start-up and then every <see cref="Interval"/> on the app's <see cref="TimeProvider"/>,
/// on one app instance at a time: each tick first takes the job's <see cref="JobLease"/> for a little less than the
/// interval, so when several instances share a database only one of them runs a given tick. The lease is not
/// released after a run (the others would run the same tick again); a crashed holder's lease simply expires.
/// </summary>
public abstract class LeasedHostedJob(IServiceScopeFactory scopes, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>This process's name in the lease table (two app hosts in one process are two holders).</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>The job's row in the lease table.</summary>
    protected abstract string LeaseName { get; }

    protected virtual TimeSpan Interval => TimeSpan.FromHours(1);

    /// <summary>How long a tick's lease lasts: most of the interval, so the holder's next tick renews it first.</summary>
    protected virtual TimeSpan LeaseDuration => Interval * 0.9;

    /// <summary>One run of the job, in its own service scope.</summary>
    protected abstract Task RunAsync(IServiceProvider services, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Background job {Job} failed; it runs again in {Interval}", LeaseName, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Runs the job if this instance gets the lease; true when it ran.</summary>
    public async Task<bool> TickAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
        if (!await JobLease.TryAcquireAsync(dbFactory, LeaseName, Holder, time.GetUtcNow().UtcDateTime, LeaseDuration, ct))
        {
            logger.LogDebug("Background job {Job} skipped: another instance holds its lease", LeaseName);
            return false;
        }
        await RunAsync(scope.ServiceProvider, ct);
        return true;
    }
}
