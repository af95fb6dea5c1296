using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace OrgConsole.Data;

/// <summary>
/// Everything that depends on the database provider lives here, so another provider (PostgreSQL) can be
/// added without touching the features: connection setup, start-up migration, and how a write transaction
/// that guards an invariant is opened.
/// </summary>
public static class DatabaseSetup
{
    public const string SqliteProvider = "Sqlite";

    public static IServiceCollection AddOrgConsoleDatabase(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var provider = configuration["Database:Provider"] ?? SqliteProvider;
        if (!string.Equals(provider, SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Database provider '{provider}' is not supported. Supported: {SqliteProvider}.");
        }

        var connectionString = SqliteConnectionString(ConfiguredConnectionString(configuration), contentRoot);
        services.AddPooledDbContextFactory<ApplicationDbContext>(options => options.UseSqlite(connectionString));
        return services;
    }

    private static string ConfiguredConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("OrgConsole") ?? "Data Source=App_Data/orgconsole.db";

    /// <summary>The SQLite file the configuration points at, resolved against the content root.</summary>
    public static string SqliteFilePath(IConfiguration configuration, string contentRoot) =>
        new SqliteConnectionStringBuilder(SqliteConnectionString(ConfiguredConnectionString(configuration), contentRoot)).DataSource;

    /// <summary>Resolves a relative SQLite file against the content root and creates its folder.</summary>
    public static string SqliteConnectionString(string configured, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(configured);
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
        {
            var path = Path.IsPathRooted(builder.DataSource) ? builder.DataSource : Path.Combine(contentRoot, builder.DataSource);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }
        builder.Pooling = true;
        return builder.ToString();
    }

    /// <summary>Creates or upgrades the database schema; on SQLite also switches the file to WAL.</summary>
    public static async Task MigrateAsync(ApplicationDbContext db, CancellationToken ct = default)
    {
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers proceed while one writer commits; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    /// <summary>
    /// Opens the transaction for a change whose invariant spans rows (last owner, quotas, audit chain).
    /// SQLite: BEGIN IMMEDIATE — the write lock is taken before anything is read, so two such
    /// transactions run one after the other and neither reads a stale count.
    /// </summary>
    public static Task<IDbContextTransaction> BeginWriteTransactionAsync(this ApplicationDbContext db, CancellationToken ct = default) =>
        // Microsoft.Data.Sqlite opens non-deferred (IMMEDIATE) transactions unless asked otherwise.
        db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);

    /// <summary>True when the exception is a unique-constraint violation.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is DbException inner &&
        (inner is SqliteException { SqliteErrorCode: 19 } || inner.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase));
}
