using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using OrgConsole.Access;
using OrgConsole.AdminApi;
using OrgConsole.Common;
using OrgConsole.Common.Http;
using OrgConsole.Components;
using OrgConsole.Components.Account;
using OrgConsole.Components.Layout;
using OrgConsole.Data;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Email;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.RoleBindings;
using OrgConsole.Features.Sso;
using OrgConsole.Features.Support;
using OrgConsole.Features.Accounts;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole;

/// <summary>The composition root: one line per feature. Program.cs calls these two methods and nothing else.</summary>
public static class OrgConsoleSetup
{
    /// <summary>How often a circuit's popover service detaches destroyed popovers from their JS observers (MudBlazor: 0.5 s).</summary>
    public static readonly TimeSpan PopoverDetachDelay = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddOrgConsole(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        ProductionSettings.Demand(configuration, environment);
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Snackbars at the bottom, so they never cover a page's top-right actions.
        services.AddMudServices(mud =>
        {
            mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight;
            // Issue 17: every circuit's popover service starts a periodic timer when it is created, open popover or
            // not; each tick is a thread-pool work item (two a second per circuit at the default 0.5 s, most of an idle
            // circuit's CPU). The queue it drains only detaches destroyed popovers from their JS observers, which can
            // wait: once every 30 s (and at the circuit's end).
            mud.PopoverOptions.QueueDelay = PopoverDetachDelay;
            // One provider per page body by construction (PageHost); the check costs a JS round trip per circuit start.
            mud.PopoverOptions.ThrowOnDuplicateProvider = false;
        });
        // The providers render on demand (MudProviders); a dialog waits for them before it is shown.
        services.AddScoped<OrgConsole.Components.Layout.MudProvidersOnDemand>();
        services.Replace(ServiceDescriptor.Scoped<MudBlazor.IDialogService>(sp => new OrgConsole.Components.Layout.OnDemandDialogService(
            new MudBlazor.DialogService(sp.GetService<ILogger<MudBlazor.DialogService>>()), sp.GetRequiredService<OrgConsole.Components.Layout.MudProvidersOnDemand>())));
        services.AddScoped<OrgConsole.Components.Layout.ShellState>(); // what the page body's circuit remembers across pages
        services.AddSingleton(TimeProvider.System);

        services.AddOrgConsoleDatabase(configuration, environment.ContentRootPath);
        services.AddKeyRing(configuration, environment.ContentRootPath);
        services.AddReverseProxy(configuration);
        services.AddIdentityAccounts(configuration);
        services.AddFeatures(configuration);
        services.AddAdminApi(configuration);
        services.AddRateLimits(configuration);
        services.AddScoped<DemoSeeder>();
        services.AddOperability(configuration);
        return services;
    }

    public static WebApplication UseOrgConsole(this WebApplication app)
    {
        app.UseReverseProxy(app.Configuration); // first: everything after sees the client's scheme, host and address
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseSecurityHeaders();
        app.UseEnhancedNavigationNotFound(); // a link to a page not available: the not-found page, without a failed fetch
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseDatabaseBusyResponse();
        app.UseHubOriginCheck(app.Configuration);
        app.UseSsoProviderSelection(); // before authentication: the OpenID Connect handler's options are the organization's
        app.UseAuthentication();
        app.UseActor(); // before authorization: the permission policies ask the Authorizer, which reads the actor
        app.UseAdminApi(); // /admin/*: the service account of the bearer token becomes the actor
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapThemePreference(); // the app bar's theme toggle (a form post; the app bar holds no circuit)
        app.MapFeatures();
        app.MapAdminApi();
        app.MapOperability();
        return app;
    }

    /// <summary>
    /// The Data Protection key ring (sign-in cookies, antiforgery, SSO client secrets, authenticator keys) is kept so a restart does not sign
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
        }
        else
        {
            var configured = configuration["DataProtection:KeysPath"];
            var path = !string.IsNullOrWhiteSpace(configured)
                ? Path.IsPathRooted(configured) ? configured : Path.Combine(contentRoot, configured)
                : Path.Combine(Path.GetDirectoryName(DatabaseSetup.SqliteFilePath(configuration, contentRoot)) ?? contentRoot, "keys");
            builder.PersistKeysToFileSystem(new DirectoryInfo(path));
        }
        // At rest the keys are plain XML unless a certificate encrypts them (DataProtection:CertificatePath, a .pfx).
        if (configuration["DataProtection:CertificatePath"] is { Length: > 0 } certificatePath)
        {
            var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                Path.IsPathRooted(certificatePath) ? certificatePath : Path.Combine(contentRoot, certificatePath),
                configuration["DataProtection:CertificatePassword"]);
            builder.ProtectKeysWithCertificate(certificate);
        }
        return services;
    }

    private static IServiceCollection AddIdentityAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        // A password change or reset, a 2FA change or a deleted account renews the security stamp; every other session of
        // the account is refused at its first request after this interval (and its open circuits at their next check).
        services.Configure<SecurityStampValidatorOptions>(o =>
            o.ValidationInterval = configuration.GetValue("Security:SessionRevalidationInterval", TimeSpan.FromMinutes(1)));
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest); // Secure over https (also behind a proxy)
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
            .AddUserValidator<OrgConsole.Features.Accounts.ControlCharacterUserValidator>()
            .AddClaimsPrincipalFactory<OrgConsole.Features.Accounts.AccountClaimsPrincipalFactory>()
            .AddSignInManager<AuditingSignInManager>()
            .AddDefaultTokenProviders();
        return services;
    }

    /// <summary>
    /// Every feature module, each one entry that registers its services, options and jobs (its EF mappings are
    /// <c>IEntityTypeConfiguration</c> classes beside its entities, applied by the DbContext). The test harness registers
    /// through this same method.
    /// </summary>
    public static IServiceCollection AddFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAccess();
        services.AddScoped<PublicUrl>();
        EmailModule.Add(services, configuration);
        AuditModule.Add(services, configuration);
        OrganizationsModule.Add(services, configuration);
        MembersModule.Add(services, configuration);
        RoleBindingsModule.Add(services, configuration);
        InvitationsModule.Add(services, configuration);
        ProjectsModule.Add(services, configuration);
        ApiKeysModule.Add(services, configuration);
        BillingModule.Add(services, configuration);
        SupportModule.Add(services, configuration);
        SsoModule.Add(services, configuration);
        ServiceAccountsModule.Add(services, configuration);
        AccountsModule.Add(services, configuration);
        return services;
    }

    /// <summary>The features' endpoints (pages are found by the router; the Admin API maps its own).</summary>
    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder endpoints)
    {
        ApiKeysModule.Map(endpoints);
        BillingModule.Map(endpoints);
        SsoModule.Map(endpoints);
        return endpoints;
    }

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
