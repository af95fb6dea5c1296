using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Members;
using OrgConsole.Features.Projects;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Postgres;

/// <summary>
/// Rule: SQLite and PostgreSQL contexts work side by side in one process — the request path's compiled queries (the
/// authorizer's membership read, the Admin API gate's account lookup, the token endpoint's credential check, the project
/// list, the members pages) are compiled per EF model, and the two providers have different models. The SQLite half runs first, so on a
/// process-wide compiled query the PostgreSQL half would be refused ("executed with a different model").
/// </summary>
public sealed class MixedProviderTests : IPostgresVariant
{
    [Fact(Timeout = 180_000)]
    public async Task TheRequestPath_RunsOnSqliteAndThenOnPostgres_InOneProcess()
    {
        var onSqlite = await RequestPathAsync(); // SQLite: the test's provider until it switches
        Assert.True(TestProvider.UsePostgres());
        var onPostgres = await RequestPathAsync();

        Assert.Equal(onSqlite, onPostgres);
        Assert.Equal((Role.OrgOwner, 1, Role.OrgOwner, true, (2, 1, 1)), onSqlite);
    }

    private static async Task<(Role OwnerRole, int Projects, Role AccountRole, bool CredentialsAccepted, (int, int, int) Members)> RequestPathAsync()
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
            Assert.Equal(TestProvider.IsPostgres, ctx.Database.IsNpgsql());
            stamp = await ctx.ServiceAccounts.Where(a => a.Id == accountId).Select(a => a.SecretStamp).SingleAsync();
        }

        var owner = await db.Service<Authorizer>(ownerId).GetAccessAsync(orgId);
        var members = await Access.CompiledQueryModelTests.MembersAsync(db.Service<MemberService>(ownerId), orgId);
        await using var asAccount = db.Services.CreateAsyncScope();
        var accounts = asAccount.ServiceProvider.GetRequiredService<ServiceAccountService>();
        var authenticated = await accounts.AuthenticateAsync(created.Value.Account.ClientId, created.Value.ClientSecret);
        var credential = authenticated.IsSuccess ? authenticated.Value : null;
        var active = await accounts.FindActiveAsync(accountId, stamp);
        Assert.NotNull(active);
        asAccount.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.ServiceAccount, accountId.ToString(), active.Name);
        var access = await asAccount.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId);
        var projects = await asAccount.ServiceProvider.GetRequiredService<ProjectService>().ListAsync(orgId);
        Assert.True(projects.IsSuccess, projects.Error?.Message);
        return (owner!.Role, projects.Value.Count, access!.Role, credential?.Id == accountId, members);
    }
}
