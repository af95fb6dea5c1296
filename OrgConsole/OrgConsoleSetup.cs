using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using OrgConsole.Access;
using OrgConsole.AdminApi;
using OrgConsole.Common.Http;
using OrgConsole.Components;
using OrgConsole.Components.Account;
using OrgConsole.Data;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Email;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Sso;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole;

/// <summary>The composition root: one line per feature. Program.cs calls these two methods and nothing else.</summary>
public static class OrgConsoleSetup
{
    public static IServiceCollection AddOrgConsole(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddSingleton(TimeProvider.System);

        services.AddOrgConsoleDatabase(configuration, environment.ContentRootPath);
        services.AddKeyRing(configuration, environment.ContentRootPath);
        services.AddIdentityAccounts();
        services.AddAccess();
        services.AddEmail(configuration);
        services.AddAudit();
        services.AddOrganizations(configuration);
        services.AddMembers();
        services.AddProjects();
        services.AddBilling();
        services.AddScoped<OrgConsole.Features.Support.SupportService>();
        services.AddSso();
        services.AddScoped<ServiceAccountService>();
        services.AddAdminApi(configuration);
        services.AddScoped<OrgConsole.Features.Accounts.AccountPreferences>();
        services.AddScoped<DemoSeeder>();
        services.AddOperability(configuration);
        return services;
    }

    public static WebApplication UseOrgConsole(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseHubOriginCheck(app.Configuration);
        app.UseAuthentication();
        app.UseActor(); // before authorization: the permission policies ask the Authorizer, which reads the actor
        app.UseAdminApi(); // /admin/*: the service account of the bearer token becomes the actor
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapApiKeyCheck();
        app.MapBilling();
        app.MapSso();
        app.MapAdminApi();
        app.MapOperability();
        return app;
    }

    /// <summary>
    /// The Data Protection key ring (sign-in cookies, antiforgery, SSO client secrets) is kept so a restart does not sign
    /// everyone out or make stored secrets unreadable: on disk beside the SQLite database by default, in the database
    /// when it is shared by several instances (PostgreSQL, or <c>DataProtection:Store=Database</c>).
    /// </summary>
    private static IServiceCollection AddKeyRing(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var builder = services.AddDataProtection().SetApplicationName("OrgConsole");
        var store = configuration["DataProtection:Store"];
        if (string.Equals(store, "Database", StringComparison.OrdinalIgnoreCase) || (string.IsNullOrEmpty(store) && DatabaseSetup.IsPostgres(configuration)))
        {
            builder.PersistKeysToDbContext<ApplicationDbContext>();
            return services;
        }
        var configured = configuration["DataProtection:KeysPath"];
        var path = !string.IsNullOrWhiteSpace(configured)
            ? Path.IsPathRooted(configured) ? configured : Path.Combine(contentRoot, configured)
            : Path.Combine(Path.GetDirectoryName(DatabaseSetup.SqliteFilePath(configuration, contentRoot)) ?? contentRoot, "keys");
        builder.PersistKeysToFileSystem(new DirectoryInfo(path));
        return services;
    }

    private static IServiceCollection AddIdentityAccounts(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.User.RequireUniqueEmail = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddUserManager<OrgConsole.Features.Accounts.AppUserManager>()
            .AddSignInManager<AuditingSignInManager>()
            .AddDefaultTokenProviders();
        return services;
    }

    private static IServiceCollection AddAudit(this IServiceCollection services) => services.AddScoped<AuditLog>().AddScoped<AuditQueryService>();

    private static IServiceCollection AddOrganizations(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OrganizationOptions>(configuration.GetSection("Organizations"));
        services.AddScoped<OrganizationService>();
        services.AddHostedService<OrganizationPurgeJob>();
        return services;
    }

    private static IServiceCollection AddMembers(this IServiceCollection services) => services
        .AddScoped<MemberService>()
        .AddScoped<InvitationService>()
        .AddScoped<PublicUrl>();

    private static IServiceCollection AddProjects(this IServiceCollection services) => services
        .AddScoped<ProjectService>()
        .AddScoped<ProjectMemberService>()
        .AddScoped<ApiKeyService>();

    /// <summary>Creates or migrates the database and, when configured, seeds the demo and prints its accounts.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ApplicationDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await DatabaseSetup.MigrateAsync(db);
        }

        if (!app.Configuration.GetValue("Seed:Demo", false)) return;
        var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
        var seeded = await seeder.SeedIfEmptyAsync();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrgConsole.Demo");
        var lines = string.Join(Environment.NewLine, DemoSeeder.Accounts.Select(a => $"  {a.Email,-30} {a.Description}"));
        logger.LogInformation("{Status}. Sign in with any of these accounts, password {Password}:{NewLine}{Accounts}",
            seeded ? "Demo data created" : "Demo data present", seeder.Password, Environment.NewLine, lines);
    }
}
