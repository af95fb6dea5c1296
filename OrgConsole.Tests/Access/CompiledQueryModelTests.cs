using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Members;
using OrgConsole.Features.Projects;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Access;

/// <summary>
/// Rule: the compiled queries on every request's path (the authorizer's membership and support-visit reads, the Admin
/// API gate's account lookup, the token endpoint's credential check, the project list) work with every EF model a process
/// uses (and the members pages' offset, keyset and search queries) — a PostgreSQL context has another model than a SQLite one, and the test suite, tools and a future second
/// provider all run both in one process. EF binds a compiled query to the model of the first context that runs it and
/// throws for any other, so these are compiled per model. The second model here is the app's plus one entity, on the
/// same SQLite file: a different model with the same tables, which is what a second provider is to a compiled query.
/// </summary>
public class CompiledQueryModelTests
{
    [Fact(Timeout = 120_000)]
    public async Task RequestPathQueries_RunAgainstASecondModel_AfterTheAppsModelRanThemFirst()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, ownerId) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        await db.AddProjectAsync(orgId, "Search");
        await db.AddMemberAsync(orgId, Role.OrgMember, "member@test.example");
        var created = await db.Service<ServiceAccountService>(ownerId).CreateAsync(orgId, "ci-bot", Role.OrgOwner);
        Assert.True(created.IsSuccess, created.Error?.Message);
        var accountId = created.Value.Account.Id;
        Guid stamp;
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            stamp = await ctx.ServiceAccounts.Where(a => a.Id == accountId).Select(a => a.SecretStamp).SingleAsync();
        }

        // The app's model first (in a whole test run it has usually been first long before this test).
        var onAppModel = await RequestPathAsync(db.Services, orgId, ownerId, accountId, stamp, created.Value);

        // Then a second model in the same process.
        var services = new ServiceCollection();
        TestDb.Register(services, new SqliteConnectionStringBuilder { DataSource = db.DatabasePath, Pooling = false, DefaultTimeout = 60 }.ToString(), db.Time);
        services.AddPooledDbContextFactory<WiderModelDbContext>(o => o.UseSqlite(
            new SqliteConnectionStringBuilder { DataSource = db.DatabasePath, Pooling = false, DefaultTimeout = 60 }.ToString()).AddInterceptors(ConcurrencyTokenInterceptor.Instance));
        services.AddSingleton<IDbContextFactory<ApplicationDbContext>, WiderModelFactory>();
        await using var wider = services.BuildServiceProvider();
        await using (var ctx = await wider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        await using (var appCtx = await db.DbFactory.CreateDbContextAsync())
        {
            Assert.IsType<WiderModelDbContext>(ctx);
            Assert.NotSame(appCtx.Model, ctx.Model);
        }
        var onWiderModel = await RequestPathAsync(wider, orgId, ownerId, accountId, stamp, created.Value);

        Assert.Equal(onAppModel, onWiderModel);
        Assert.Equal(("Acme", Role.OrgOwner, accountId, 1, Role.OrgOwner, (Guid?)accountId, (2, 1, 1)), onAppModel);
    }

    /// <summary>What an Admin API request and a console click ask first, run through the services of one container.</summary>
    private static async Task<(string OrgName, Role OwnerRole, Guid ActiveAccount, int Projects, Role AccountRole, Guid? CredentialAccount, (int, int, int) Members)> RequestPathAsync(
        IServiceProvider services, Guid orgId, string ownerId, Guid accountId, Guid stamp, ServiceAccountWithSecret account)
    {
        await using var asOwner = services.CreateAsyncScope();
        asOwner.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, ownerId, ownerId);
        var ownerAccess = await asOwner.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId);
        Assert.NotNull(ownerAccess);
        var members = await MembersAsync(asOwner.ServiceProvider.GetRequiredService<MemberService>(), orgId);
        // The support-visit read (a user who is not a member): none open, so no access.
        await using (var stranger = services.CreateAsyncScope())
        {
            stranger.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, "not-a-member", "x");
            Assert.Null(await stranger.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId));
        }

        // The token endpoint's credential check, then the gate's lookup, then the request it lets through.
        await using var asAccount = services.CreateAsyncScope();
        var accounts = asAccount.ServiceProvider.GetRequiredService<ServiceAccountService>();
        var authenticated = await accounts.AuthenticateAsync(account.Account.ClientId, account.ClientSecret);
        var credential = authenticated.IsSuccess ? authenticated.Value : null;
        var active = await accounts.FindActiveAsync(accountId, stamp);
        Assert.NotNull(active);
        asAccount.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.ServiceAccount, accountId.ToString(), active.Name);
        var accountAccess = await asAccount.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId);
        var projects = await asAccount.ServiceProvider.GetRequiredService<ProjectService>().ListAsync(orgId);
        Assert.True(projects.IsSuccess, projects.Error?.Message);
        return (ownerAccess.OrganizationName, ownerAccess.Role, active.Id, projects.Value.Count, accountAccess!.Role, credential?.Id, members);
    }

    /// <summary>The members page's queries: an offset page, the keyset next page, a search page (total, next page's size, matches).</summary>
    internal static async Task<(int, int, int)> MembersAsync(MemberService members, Guid orgId)
    {
        var first = await members.SearchAsync(orgId, new MemberQuery(PageSize: 1));
        Assert.True(first.IsSuccess, first.Error?.Message);
        var next = await members.SearchAsync(orgId, new MemberQuery(PageSize: 1, Page: 1, From: MemberKeyset.After(first.Value.Items[^1])));
        var found = await members.SearchAsync(orgId, new MemberQuery(Search: "member@", PageSize: 5));
        return (first.Value.TotalCount, next.Value.Items.Count, found.Value.TotalCount);
    }

    /// <summary>The app's model plus one entity: another EF model over the same tables.</summary>
    private sealed class WiderModelDbContext(DbContextOptions<WiderModelDbContext> options) : ApplicationDbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder builder)
        {
            base.OnModelCreating(builder);
            builder.Entity<ExtraRow>().ToTable("ExtraRows");
        }
    }

    private sealed class ExtraRow
    {
        public int Id { get; set; }
    }

    private sealed class WiderModelFactory(IDbContextFactory<WiderModelDbContext> inner) : IDbContextFactory<ApplicationDbContext>
    {
        public ApplicationDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<ApplicationDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
