using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrgConsole.Common.Jobs;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Jobs;

/// <summary>The lease that lets a background job run on one instance at a time (SQLite here; PostgreSQL in its variant).</summary>
public class JobLeaseTests
{
    [Fact(Timeout = 60_000)]
    public async Task TwoHoldersRacingForAFreeLease_OnlyOneGetsIt()
    {
        await using var db = await TestDb.CreateAsync();
        var now = db.Time.GetUtcNow().UtcDateTime;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => JobLease.TryAcquireAsync(db.DbFactory, "billing", $"instance-{i}", now, TimeSpan.FromMinutes(54)))));

        Assert.Single(results, taken => taken);
    }

    [Fact(Timeout = 60_000)]
    public async Task AHeldLease_IsRefusedToOthers_UntilItExpires_ThenACrashedHoldersLeaseIsTakenOver()
    {
        await using var db = await TestDb.CreateAsync();
        var now = db.Time.GetUtcNow().UtcDateTime;
        Assert.True(await JobLease.TryAcquireAsync(db.DbFactory, "purge", "crashed", now, TimeSpan.FromMinutes(54)));

        Assert.False(await JobLease.TryAcquireAsync(db.DbFactory, "purge", "other", now.AddMinutes(53), TimeSpan.FromMinutes(54)));
        Assert.True(await JobLease.TryAcquireAsync(db.DbFactory, "purge", "other", now.AddMinutes(54), TimeSpan.FromMinutes(54)));
        Assert.False(await JobLease.TryAcquireAsync(db.DbFactory, "purge", "crashed", now.AddMinutes(55), TimeSpan.FromMinutes(54)));
        Assert.True(await JobLease.TryAcquireAsync(db.DbFactory, "purge", "other", now.AddMinutes(60), TimeSpan.FromMinutes(54)));
    }

    [Fact(Timeout = 60_000)]
    public async Task AJobDueOnTwoInstances_RunsOnce_AndAgainAtTheNextTick()
    {
        await using var db = await TestDb.CreateAsync();
        var runs = 0;
        var scopes = db.Services.GetRequiredService<IServiceScopeFactory>();
        var a = new CountingJob(scopes, db.Time, () => Interlocked.Increment(ref runs));
        var b = new CountingJob(scopes, db.Time, () => Interlocked.Increment(ref runs));

        var first = await Task.WhenAll(Task.Run(() => a.TickAsync()), Task.Run(() => b.TickAsync()));
        Assert.Equal(1, runs);
        Assert.Single(first, ran => ran);

        db.Time.Advance(TimeSpan.FromHours(1));
        await Task.WhenAll(Task.Run(() => b.TickAsync()), Task.Run(() => a.TickAsync()));
        Assert.Equal(2, runs);
    }

    private sealed class CountingJob(IServiceScopeFactory scopes, TimeProvider time, Action ran) : LeasedHostedJob(scopes, time, NullLogger.Instance)
    {
        protected override string LeaseName => "counting";

        protected override Task RunAsync(IServiceProvider services, CancellationToken ct)
        {
            ran();
            return Task.CompletedTask;
        }
    }
}
