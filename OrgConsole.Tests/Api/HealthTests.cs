using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrgConsole.Common.Http;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>/health/live and /health/ready (SQLite here; PostgreSQL in its variant).</summary>
public class HealthTests
{
    [Fact(Timeout = 60_000)]
    public async Task LiveAndReady_AnswerHealthy_Anonymously_OnAMigratedDatabase()
    {
        await using var app = AppFactory.InMemory();
        var client = app.CreateClient();

        var live = await client.GetAsync("/health/live");
        var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Ready_IsUnhealthy_WhenTheDatabaseIsGone_WhileLiveStaysHealthy()
    {
        await using var app = AppFactory.InMemory();
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
            // Take the schema away under the running app (a restore gone wrong, a wrong database).
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database,
                TestProvider.IsPostgres ? "DROP TABLE \"__EFMigrationsHistory\"" : "DROP TABLE __EFMigrationsHistory");
        }

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheMigrationsCheck_IsUnhealthy_OnAnEmptyDatabase_AndHealthyOnceMigrated()
    {
        if (TestProvider.IsPostgres) return; // the SQLite file below; PostgreSQL is covered by the HTTP tests above
        var path = Path.Combine(Path.GetTempPath(), $"orgconsole-health-{Guid.NewGuid():N}.db");
        try
        {
            var services = new ServiceCollection();
            TestDb.Register(services, new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString(), TimeProvider.System);
            await using var provider = services.BuildServiceProvider();
            var check = new Operability.MigrationsHealthCheck(provider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ApplicationDbContext>>());

            var empty = await check.CheckHealthAsync(new HealthCheckContext());
            await using (var db = await provider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
            {
                await DatabaseSetup.MigrateAsync(db);
            }
            var migrated = await check.CheckHealthAsync(new HealthCheckContext());

            Assert.Equal(HealthStatus.Unhealthy, empty.Status);
            Assert.Contains("not applied", empty.Description);
            Assert.Equal(HealthStatus.Healthy, migrated.Status);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }
}
