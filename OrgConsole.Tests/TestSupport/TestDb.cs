using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrgConsole;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Members;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// A real database (migrated, with the audit triggers) and the feature services wired as in the app: a SQLite file,
/// or — in a PostgreSQL variant of a test class (<see cref="TestProvider"/>) — a PostgreSQL database.
/// Each test gets its own copy of a template database migrated once per test run.
/// </summary>
public sealed class TestDb : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private readonly string _path;
    private readonly string? _postgres;

    private TestDb(string path, ServiceProvider services, FakeTimeProvider time, string? postgres = null)
    {
        _path = path;
        _postgres = postgres;
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    /// <summary>The audit chain key of every test database (configuration, as in production; never in the database).</summary>
    public const string ChainKey = "dGVzdC1hdWRpdC1jaGFpbi1rZXktMzItYnl0ZXMtbG9uZyE=";

    /// <summary>Each test database's audit checkpoint file is its path plus this.</summary>
    public const string CheckpointSuffix = ".checkpoints";

    public string CheckpointPath => CheckpointFor(_postgres is null ? DatabaseSetup.SqliteProvider : DatabaseSetup.PostgresProvider, _postgres ?? ConnectionString(_path));

    /// <summary>
    /// A test database's audit checkpoint file: beside the SQLite file, or in the temp folder named after the PostgreSQL
    /// database (pooled databases are reused, so their file is removed when a test database is handed out and returned).
    /// </summary>
    public static string CheckpointFor(string provider, string connectionString) =>
        provider == DatabaseSetup.PostgresProvider
            ? Path.Combine(Path.GetTempPath(), "orgconsole-test-pg-" + new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database + CheckpointSuffix)
            : new SqliteConnectionStringBuilder(connectionString).DataSource + CheckpointSuffix;

    /// <summary>The PostgreSQL database of a PostgreSQL variant, else null.</summary>
    public string? PostgresConnectionString => _postgres;

    /// <summary>The SQLite file (for tests that scan what is at rest).</summary>
    public string DatabasePath => _path;
    public FakeTimeProvider Time { get; }
    public IDbContextFactory<ApplicationDbContext> DbFactory => Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();

    /// <summary>SQLite's kept read connections (disabled on PostgreSQL): the hottest reads run there, not through EF Core.</summary>
    public KeptReadConnections KeptReads => Services.GetRequiredService<KeptReadConnections>();

    /// <param name="configureDb">Extra context options (an interceptor that watches the commands, say), on either provider.</param>
    public static async Task<TestDb> CreateAsync(Action<DbContextOptionsBuilder>? configureDb = null)
    {
        if (TestProvider.IsPostgres)
        {
            var connectionString = await TestProvider.CreatePostgresDatabaseAsync();
            File.Delete(CheckpointFor(DatabaseSetup.PostgresProvider, connectionString));
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
            var container = new ServiceCollection();
            Register(container, connectionString, clock, DatabaseSetup.PostgresProvider);
            if (configureDb is not null) container.ConfigureDbContext<PostgresDbContext>(configureDb);
            return new TestDb("", container.BuildServiceProvider(), clock, connectionString);
        }
        var template = await Template.Value;
        var path = Path.Combine(Path.GetTempPath(), $"orgconsole-test-{Guid.NewGuid():N}.db");
        File.Copy(template, path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        Register(services, ConnectionString(path), time);
        if (configureDb is not null) services.ConfigureDbContext<ApplicationDbContext>(configureDb);
        return new TestDb(path, services.BuildServiceProvider(), time);
    }

    /// <summary>Registers what the feature services need, the same way the app does.</summary>
    public static void Register(IServiceCollection services, string connectionString, TimeProvider time, string provider = DatabaseSetup.SqliteProvider)
    {
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(time);
        services.AddOrgConsoleDbContext(provider, connectionString);
        services.AddIdentityCore<ApplicationUser>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
            .AddRoles<IdentityRole>().AddEntityFrameworkStores<ApplicationDbContext>().AddUserManager<OrgConsole.Features.Accounts.AppUserManager>().AddDefaultTokenProviders();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["App:PublicUrl"] = "https://console.test/",
            ["Sso:AllowInsecureLoopback"] = "true",
            ["Audit:ChainKey"] = ChainKey,
            ["Audit:CheckpointPath"] = CheckpointFor(provider, connectionString),
        }).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDataProtection();
        services.AddFeatures(configuration); // the app's own modules, so the harness cannot drift from the app
        services.AddSingleton<CapturingEmailTransport>();
        services.AddSingleton<OrgConsole.Features.Email.IEmailTransport>(sp => sp.GetRequiredService<CapturingEmailTransport>());
    }

    /// <summary>Gives a person the platform Support role (as the operator's command does).</summary>
    public async Task<string> CreateSupportStaffAsync(string email = "support@test.example")
    {
        var userId = await CreateUserAsync(email);
        await using var scope = Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(PlatformRoles.Support)) await roles.CreateAsync(new IdentityRole(PlatformRoles.Support));
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True((await users.AddToRoleAsync((await users.FindByIdAsync(userId))!, PlatformRoles.Support)).Succeeded);
        return userId;
    }

    /// <summary>Every email the services sent.</summary>
    public CapturingEmailTransport Mail => Services.GetRequiredService<CapturingEmailTransport>();

    public async Task SetPlanAsync(Guid orgId, Plan plan)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        await db.Organizations.Where(o => o.Id == orgId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Plan, plan));
    }

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 60 }.ToString();

    private static async Task<string> CreateTemplateAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"orgconsole-template-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        Register(services, ConnectionString(path), TimeProvider.System);
        await using var provider = services.BuildServiceProvider();
        await using var db = await provider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await DatabaseSetup.MigrateAsync(db);
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        return path;
    }

    /// <summary>A scope acting as the given user (null: anonymous).</summary>
    public AsyncServiceScope As(string? userId)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = userId is null
            ? Actor.Anonymous
            : new Actor(ActorType.User, userId, userId);
        return scope;
    }

    public T Service<T>(string? userId) where T : notnull => As(userId).ServiceProvider.GetRequiredService<T>();

    public async Task<string> CreateUserAsync(string email)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var user = new ApplicationUser
        {
            UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true, SecurityStamp = Guid.NewGuid().ToString(), CreatedAt = Time.GetUtcNow().UtcDateTime,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>An organization owned by a new user; returns both ids.</summary>
    public async Task<(Guid OrgId, string OwnerId)> CreateOrganizationAsync(string name = "Acme", string? ownerEmail = null)
    {
        var ownerId = await CreateUserAsync(ownerEmail ?? $"owner-{Guid.NewGuid():N}@test.example");
        var result = await Service<OrganizationService>(ownerId).CreateAsync(name);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return (result.Value, ownerId);
    }

    /// <summary>A new user holding <paramref name="role"/> in the organization.</summary>
    public async Task<string> AddMemberAsync(Guid orgId, Role role, string? email = null)
    {
        var userId = await CreateUserAsync(email ?? $"{role}-{Guid.NewGuid():N}@test.example".ToLowerInvariant());
        await GrantAsync(orgId, userId, role);
        return userId;
    }

    public async Task GrantAsync(Guid orgId, string userId, Role role, Guid? projectId = null)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Id == userId);
        db.RoleAssignments.Add(RoleAssignment.ForUser(user, orgId, role, Time.GetUtcNow().UtcDateTime, projectId));
        await db.SaveChangesAsync();
    }

    public async Task<Guid> AddProjectAsync(Guid orgId, string name = "Search")
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var project = new Project { Id = Guid.NewGuid(), OrganizationId = orgId, Name = name, NormalizedName = Project.Normalize(name), CreatedAt = Time.GetUtcNow().UtcDateTime };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        return project.Id;
    }

    public async Task<List<AuditEvent>> AuditEventsAsync(Guid orgId)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == orgId).OrderBy(e => e.Sequence).ToListAsync();
    }

    public async Task<int> OwnerCountAsync(Guid orgId)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        return await db.RoleAssignments.CountAsync(r => r.OrganizationId == orgId && r.ProjectId == null && r.Role == Role.OrgOwner);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_postgres is not null)
        {
            File.Delete(CheckpointFor(DatabaseSetup.PostgresProvider, _postgres));
            await TestProvider.ReleasePostgresDatabaseAsync(_postgres);
            return;
        }
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", CheckpointSuffix })
        {
            try { File.Delete(_path + suffix); } catch (IOException) { }
        }
    }
}
