using Npgsql;
using OrgConsole.Data;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("OrgConsole.Tests.TestSupport.ProviderTestFramework", "OrgConsole.Tests")]

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// Which database the tests of the current test class run on. SQLite by default; a test class that derives from a
/// SQLite test class and implements <see cref="IPostgresVariant"/> (calling <see cref="TestProvider.UsePostgres"/> in a
/// field initializer, before the base class builds its fixtures) runs the same tests on PostgreSQL.
/// </summary>
public static class TestProvider
{
    /// <summary>The variable that enables the PostgreSQL variants: a base connection string to a server (superuser or CREATEDB).</summary>
    public const string Variable = "ORGCONSOLE_TEST_POSTGRES";

    public const string HowToEnable =
        $"PostgreSQL tests are off: set {Variable} to a server's base connection string, e.g. " +
        $"{Variable}=\"Host=127.0.0.1;Port=5432;Username=postgres\" (a role that may CREATE DATABASE), or run ./test.sh, which starts a throw-away server.";

    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The base connection string, or null when PostgreSQL tests are off.</summary>
    public static string? PostgresBase => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string Provider => Current.Value ?? DatabaseSetup.SqliteProvider;

    public static bool IsPostgres => Provider == DatabaseSetup.PostgresProvider;

    /// <summary>Switches the current test (its constructor, fixtures and body) to PostgreSQL.</summary>
    public static bool UsePostgres()
    {
        if (PostgresBase is null) throw new InvalidOperationException(HowToEnable);
        Current.Value = DatabaseSetup.PostgresProvider;
        return true;
    }

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    /// <summary>A fresh PostgreSQL database, copied from a template migrated once per test run; returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        if (!Clean.TryTake(out var database))
        {
            var template = await Template.Value;
            var name = $"orgconsole_test_{Guid.NewGuid():N}";
            await using (var admin = new NpgsqlConnection(AdminConnectionString()))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            database = DatabaseConnectionString(name);
        }
        // Each hand-out is its own connection string (the database's, with an application name of its own), so a late
        // second release of an earlier hand-out can never empty the database under the test that holds it now.
        var handout = new NpgsqlConnectionStringBuilder(database) { ApplicationName = $"orgconsole-test-{Interlocked.Increment(ref _handouts)}" }.ToString();
        InUse.TryAdd(handout, database);
        return handout;
    }

    private static int _handouts;

    /// <summary>Hand-outs not yet given back, with the database each one is (a second release of the same one is ignored).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> InUse = new();

    /// <summary>Databases emptied after a test, ready for the next one (creating a database costs about a second).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Clean = new();

    /// <summary>
    /// Hands a test's database back: every table emptied (the audit table's append-only triggers paused for it) and
    /// reused by a later test; dropped instead when it cannot be emptied or a test changed its triggers or migrations.
    /// </summary>
    public static async Task ReleasePostgresDatabaseAsync(string connectionString)
    {
        if (!InUse.TryRemove(connectionString, out var database)) return;
        try
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var check = new NpgsqlCommand("SELECT count(*) FROM pg_trigger WHERE tgname IN ('AuditEvents_NoUpdate', 'AuditEvents_NoDelete', 'AuditEvents_NoTruncate', 'RoleAssignments_MemberCount') AND tgenabled = 'O' AND to_regclass('\"__EFMigrationsHistory\"') IS NOT NULL", connection);
            if ((long)(await check.ExecuteScalarAsync())! != 4) throw new InvalidOperationException("triggers changed");
            await using var truncate = new NpgsqlCommand("""
                DO $$
                DECLARE tables text;
                BEGIN
                    SELECT string_agg(format('%I', tablename), ', ') INTO tables FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory';
                    ALTER TABLE "AuditEvents" DISABLE TRIGGER USER;
                    EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
                    ALTER TABLE "AuditEvents" ENABLE TRIGGER USER;
                END $$;
                """, connection);
            await truncate.ExecuteNonQueryAsync();
            Clean.Add(database);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            await DropPostgresDatabaseAsync(connectionString);
        }
    }

    /// <summary>Drops a database made by <see cref="CreatePostgresDatabaseAsync"/> (best effort).</summary>
    public static async Task DropPostgresDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var admin = new NpgsqlConnection(AdminConnectionString());
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A database left behind must not fail a test; the throw-away server goes anyway.
        }
    }

    private static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(PostgresBase) { Database = "postgres", Pooling = false }.ToString();

    private static string DatabaseConnectionString(string name) =>
        new NpgsqlConnectionStringBuilder(PostgresBase) { Database = name, MaxPoolSize = 20, Timeout = 30, CommandTimeout = 60 }.ToString();

    private static async Task<string> CreateTemplateAsync()
    {
        var name = $"orgconsole_template_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(DatabaseConnectionString(name)) { Pooling = false }.ToString();
        // Through the app's registrations: Identity's options (key lengths) are part of the model.
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        TestDb.Register(services, connectionString, TimeProvider.System, DatabaseSetup.PostgresProvider);
        await using (var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services))
        await using (var db = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ApplicationDbContext>>(provider).CreateDbContextAsync())
        {
            await DatabaseSetup.MigrateAsync(db);
        }
        return name;
    }
}

/// <summary>A test class that runs its base class's tests on PostgreSQL; skipped (with how to enable) when it is off.</summary>
public interface IPostgresVariant;

/// <summary>xunit's framework, except that PostgreSQL variants are reported as skipped when no server is configured.</summary>
public sealed class ProviderTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var type = testMethod.TestClass.Class.ToRuntimeType();
            if (TestProvider.PostgresBase is not null || type is null || !typeof(IPostgresVariant).IsAssignableFrom(type))
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }
            var isTest = testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any();
            if (!isTest) return true;
            var skipped = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, TestProvider.HowToEnable);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }
}
