using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OrgConsole.Data;

/// <summary>
/// Everything that depends on the database provider lives here, so the features never ask which one runs:
/// connection setup, start-up migration, and how a write transaction that guards an invariant is opened.
/// SQLite (default, embedded) uses <see cref="ApplicationDbContext"/> and Data/Migrations; PostgreSQL uses
/// <see cref="PostgresDbContext"/> (same model) and Data/Migrations/Postgres.
/// </summary>
public static class DatabaseSetup
{
    public const string SqliteProvider = "Sqlite";
    public const string PostgresProvider = "Postgres";

    /// <summary>The key of the transaction-scoped advisory lock every guarded write takes on PostgreSQL.</summary>
    public const long WriteLockKey = 0x4f7267436f6e; // "OrgCon"

    public static bool IsPostgres(IConfiguration configuration) =>
        string.Equals(configuration["Database:Provider"], PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public static IServiceCollection AddOrgConsoleDatabase(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        if (EF.IsDesignTime)
        {
            // dotnet ef migrations add … --context PostgresDbContext: builds the model, no server needed.
            services.AddDbContext<PostgresDbContext>(options => UsePostgres(options, "Host=localhost;Database=orgconsole_design"));
        }
        var provider = configuration["Database:Provider"] ?? SqliteProvider;
        if (string.Equals(provider, PostgresProvider, StringComparison.OrdinalIgnoreCase))
        {
            var configured = configuration.GetConnectionString("OrgConsole");
            if (string.IsNullOrWhiteSpace(configured) || configured.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    "Database:Provider is Postgres: set ConnectionStrings:OrgConsole to a PostgreSQL connection string (Host=…;Database=…;Username=…;Password=…).");
            }
            return services.AddOrgConsoleDbContext(PostgresProvider, configured);
        }
        if (!string.Equals(provider, SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Database provider '{provider}' is not supported. Supported: {SqliteProvider}, {PostgresProvider}.");
        }
        return services.AddOrgConsoleDbContext(SqliteProvider, SqliteConnectionString(ConfiguredConnectionString(configuration), contentRoot));
    }

    /// <summary>
    /// Registers the pooled context factory (and a scoped context for Identity) for a provider. The features always
    /// ask for <see cref="ApplicationDbContext"/>; on PostgreSQL what they get is its <see cref="PostgresDbContext"/> subclass.
    /// </summary>
    public static IServiceCollection AddOrgConsoleDbContext(this IServiceCollection services, string provider, string connectionString)
    {
        if (provider == PostgresProvider)
        {
            services.AddPooledDbContextFactory<PostgresDbContext>(options => UsePostgres(options, connectionString).AddInterceptors(ConcurrencyTokenInterceptor.Instance));
            services.AddSingleton<IDbContextFactory<ApplicationDbContext>, PostgresContextFactory>();
            services.AddScoped<ApplicationDbContext>(sp => sp.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContext());
            services.AddSingleton(_ => KeptReadConnections.Disabled());
            return services;
        }
        services.AddPooledDbContextFactory<ApplicationDbContext>(options => options.UseSqlite(connectionString).AddInterceptors(ConcurrencyTokenInterceptor.Instance));
        // The hottest reads run as prepared statements on a few kept-open connections of this database (issue 17).
        services.AddSingleton(_ => new KeptReadConnections(connectionString, KeptReadConnections.DefaultMaxConnections));
        return services;
    }

    public static DbContextOptionsBuilder UsePostgres(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory"));

    private sealed class PostgresContextFactory(IDbContextFactory<PostgresDbContext> inner) : IDbContextFactory<ApplicationDbContext>
    {
        public ApplicationDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<ApplicationDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }

    private static string ConfiguredConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("OrgConsole") ?? "Data Source=App_Data/orgconsole.db";

    /// <summary>The SQLite file the configuration points at, resolved against the content root (null on PostgreSQL).</summary>
    public static string? SqliteFilePath(IConfiguration configuration, string contentRoot) =>
        IsPostgres(configuration) ? null : new SqliteConnectionStringBuilder(SqliteConnectionString(ConfiguredConnectionString(configuration), contentRoot)).DataSource;

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
    /// Opens the transaction for a change whose invariant spans rows (last owner, quotas, audit chain, invoice payment).
    /// SQLite: BEGIN IMMEDIATE — the write lock is taken before anything is read, so two such transactions run one
    /// after the other and neither reads a stale count.
    /// PostgreSQL: READ COMMITTED plus a transaction-scoped advisory lock taken before anything is read — the same
    /// one-writer-at-a-time order across every app instance; each statement after the lock sees every change committed
    /// by the previous holder, and the lock is released by COMMIT or ROLLBACK (also when a connection dies).
    /// </summary>
    public static async Task<IDbContextTransaction> BeginWriteTransactionAsync(this ApplicationDbContext db, CancellationToken ct = default)
    {
        if (!db.Database.IsNpgsql())
        {
            // Microsoft.Data.Sqlite opens non-deferred (IMMEDIATE) transactions unless asked otherwise.
            return await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        }
        var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({WriteLockKey})", ct);
            return tx;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>True when the exception is a unique-constraint violation.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is DbException inner &&
        (inner is SqliteException { SqliteErrorCode: 19 } or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
         || inner.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase));
}
