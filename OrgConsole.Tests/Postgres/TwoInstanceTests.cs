using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Postgres;

/// <summary>Two app instances (two hosts) on one PostgreSQL database, as behind a load balancer.</summary>
public sealed partial class TwoInstanceTests : IPostgresVariant, IAsyncLifetime
{
    private string _database = "";
    private AppFactory _a = null!;
    private AppFactory _b = null!;

    public async Task InitializeAsync()
    {
        _database = await TestProvider.CreatePostgresDatabaseAsync();
        // Each instance has its own disk (a key folder of its own): only the database is shared.
        Dictionary<string, string> Settings() => new()
        {
            ["Database:Provider"] = "Postgres", ["ConnectionStrings:OrgConsole"] = _database,
            ["DataProtection:KeysPath"] = Path.Combine(Path.GetTempPath(), $"orgconsole-keys-{Guid.NewGuid():N}"),
        };
        _a = AppFactory.InMemory(Settings());
        _ = _a.Server; // A migrates and seeds first, as the first instance of a deployment would
        _b = AppFactory.InMemory(Settings());
        _ = _b.Server;
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await TestProvider.ReleasePostgresDatabaseAsync(_database);
    }

    [Fact(Timeout = 120_000)]
    public async Task ARoleChangeOnInstanceA_IsRefusedAtOnceOnInstanceB()
    {
        var (acme, owner, user) = await DemoAsync();
        Assert.True((await Authorize(_b, user).DemandAsync(acme, Permission.ViewAccountDetails)).IsSuccess);
        Assert.True((await Authorize(_b, user).DemandAsync(acme, Permission.UpdateMemberRoles)).IsSuccess is false);

        // A promotes, B sees it at once; A demotes again, B refuses at once.
        await using (var scope = As(_a, owner)) Assert.True((await scope.ServiceProvider.GetRequiredService<MemberService>().ChangeRoleAsync(acme, user, Role.OrgOwner)).IsSuccess);
        Assert.True((await Authorize(_b, user).DemandAsync(acme, Permission.UpdateMemberRoles)).IsSuccess);
        await using (var scope = As(_a, owner)) Assert.True((await scope.ServiceProvider.GetRequiredService<MemberService>().ChangeRoleAsync(acme, user, Role.OrgMember)).IsSuccess);
        var refused = await Authorize(_b, user).DemandAsync(acme, Permission.UpdateMemberRoles);
        Assert.Equal(OrgConsole.Common.ErrorKind.Forbidden, refused.Error?.Kind);
    }

    [Fact(Timeout = 120_000)]
    public async Task ASignInCookieFromInstanceA_IsAcceptedByInstanceB()
    {
        var (acme, _, _) = await DemoAsync();
        var onA = _a.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await onA.GetStringAsync("/Account/Login");
        var signedIn = await onA.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "owner@acme.example", ["Input.Password"] = "OrgConsole-demo-1", ["Input.RememberMe"] = "false",
            ["_handler"] = "login", ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal)).Split(';')[0];

        var onB = _b.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, $"/orgs/{acme}/settings");
        request.Headers.Add("Cookie", cookie);
        var response = await onB.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var anonymous = await onB.GetAsync($"/orgs/{acme}/settings");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task TheBillingJobDueOnBothInstances_RanOnlyOnTheLeaseHolder()
    {
        var jobA = _a.Services.GetServices<IHostedService>().OfType<BillingJob>().Single();
        var jobB = _b.Services.GetServices<IHostedService>().OfType<BillingJob>().Single();

        // Both ran their start-up tick; A (first) took the lease, so B's tick — and any other while A holds it — skips.
        Assert.False(await jobB.TickAsync());
        await using var db = await _a.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        Assert.Equal(jobA.Holder, (await db.JobLeases.SingleAsync(l => l.Name == "billing")).Holder);
    }

    private async Task<(Guid Acme, string Owner, string User)> DemoAsync()
    {
        await using var db = await _a.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var acme = await db.Organizations.Where(o => o.Name == DemoSeeder.OrganizationName).Select(o => o.Id).SingleAsync();
        var owner = await db.Users.Where(u => u.Email == "owner@acme.example").Select(u => u.Id).SingleAsync();
        var user = await db.Users.Where(u => u.Email == "user@acme.example").Select(u => u.Id).SingleAsync();
        return (acme, owner, user);
    }

    private static AsyncServiceScope As(AppFactory app, string userId)
    {
        var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, userId, userId);
        return scope;
    }

    private static Authorizer Authorize(AppFactory app, string userId) => As(app, userId).ServiceProvider.GetRequiredService<Authorizer>();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
