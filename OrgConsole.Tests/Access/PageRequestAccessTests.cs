using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Access;

/// <summary>
/// Issue 17 (time to open a page): one page request asks about the viewer's organization in the permission policy, the
/// layout, the shell and the prerendered body. Within that one GET the first answer serves the rest; the next request, a
/// circuit's click or a form post reads again, so a role change still counts at once.
/// </summary>
public sealed class PageRequestAccessTests : IAsyncLifetime
{
    private readonly RecordedCommands _commands = new();
    private AppFactory _app = null!;
    private Guid _acme;

    public async Task InitializeAsync()
    {
        _app = AppFactory.InMemory(services => services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(_commands)));
        _commands.AlsoOn(_app.Services.GetRequiredService<KeptReadConnections>()); // on SQLite the check is a kept read
        await using var db = await _app.DbAsync();
        _acme = (await db.Organizations.SingleAsync(o => o.Name == "Acme Corp")).Id;
        var http = _app.Services.GetRequiredService<IHttpContextAccessor>();
        _commands.When = () => http.HttpContext?.Request.Path.StartsWithSegments("/orgs") == true;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task APageRequest_ReadsTheViewersRolesOnce_EachRequestReadsThemAgain()
    {
        var client = _app.NewClient();
        await AccountForms.PostLoginAsync(client, "owner@acme.example", AccountForms.DemoPassword);
        var members = OrgConsole.Features.Members.MembersRoutes.Members(_acme);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(members)).StatusCode); // warm

        for (var i = 0; i < 2; i++)
        {
            _commands.Watch();
            var page = await client.GetAsync(members);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("data-testid=\"members-grid\"", await page.Content.ReadAsStringAsync());
            Assert.Equal(1, _commands.Taken().Count(IsMembershipRead)); // six before (the policy, the layout, the app bar, the shell, the member list …)
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ARoleRemovedBetweenTwoPageRequests_CountsAtTheSecond()
    {
        var client = _app.NewClient();
        await AccountForms.PostLoginAsync(client, "eli@acme.example", AccountForms.DemoPassword);
        var members = OrgConsole.Features.Members.MembersRoutes.Members(_acme);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(members)).StatusCode);

        await using (var db = await _app.DbAsync())
        {
            var eli = await db.Users.SingleAsync(u => u.Email == "eli@acme.example");
            await db.RoleAssignments.Where(ra => ra.OrganizationId == _acme && ra.PrincipalId == eli.Id).ExecuteDeleteAsync();
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(members)).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task OutsideAPageRequest_EveryCheckReadsTheRoles_WithinOneTheyAreReadOncePerOrganization()
    {
        string owner;
        await using (var db = await _app.DbAsync())
        {
            owner = (await db.Users.SingleAsync(u => u.Email == "owner@acme.example")).Id;
        }
        var http = _app.Services.GetRequiredService<IHttpContextAccessor>();
        _commands.When = null;

        // A circuit's or a service's scope: nothing remembered, a role change counts at the next check.
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner, "owner@acme.example");
            var authorizer = scope.ServiceProvider.GetRequiredService<Authorizer>();
            _commands.Watch();
            Assert.True((await authorizer.DemandAsync(_acme, Permission.InviteMembers)).IsSuccess);
            Assert.True((await authorizer.DemandAsync(_acme, Permission.InviteMembers)).IsSuccess);
            Assert.Equal(2, _commands.Taken().Count(IsMembershipRead));
        }

        // One page request's scope: once per organization (an organization the viewer is not in is also answered once).
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner, "owner@acme.example");
            var authorizer = scope.ServiceProvider.GetRequiredService<Authorizer>();
            authorizer.RememberWithinThisRequest();
            _commands.Watch();
            Assert.True((await authorizer.DemandAsync(_acme, Permission.InviteMembers)).IsSuccess);
            Assert.Equal(Role.OrgOwner, (await authorizer.GetAccessAsync(_acme))!.Role);
            var stranger = Guid.NewGuid();
            Assert.Null(await authorizer.GetAccessAsync(stranger));
            Assert.False((await authorizer.DemandAsync(stranger, Permission.ViewAccountDetails)).IsSuccess);
            Assert.Equal(2, _commands.Taken().Count(IsMembershipRead));
        }
    }

    /// <summary>The authorizer's read of the viewer's organization roles (organization name, plan and role of each binding).</summary>
    private static bool IsMembershipRead(string sql) =>
        sql.StartsWith("SELECT \"o\".\"Name\", \"o\".\"Plan\", \"r\".\"Role\"", StringComparison.Ordinal);
}
