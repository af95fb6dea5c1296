using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// Issue 17: <c>GET /admin/projects</c> reads the database twice — the gate's account check, which brings the account's
/// organization roles with it for the authorizer's first check of the request, and the list — instead of three times
/// (account, membership, list). The roles are still read on every request: nothing is remembered across requests
/// (<see cref="RoleChangeTakesEffectTests"/>), and within a request only the first check uses the gate's read.
/// </summary>
public sealed class RequestRoundTripTests : IAsyncLifetime
{
    private readonly RecordedCommands _commands = new();
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync()
    {
        _api = await AdminApiHarness.StartAsync(services => services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(_commands)));
        var http = _api.App.Services.GetRequiredService<IHttpContextAccessor>();
        _commands.When = () => http.HttpContext?.Request.Path.StartsWithSegments("/admin/projects") == true;
        _commands.Watch();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact(Timeout = 90_000)]
    public async Task ListingProjects_ReadsTheDatabaseTwice_TheAccountWithItsRolesThenTheList()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = _api.Client(await _api.TokenAsync(robot));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/projects")).StatusCode); // warm

        for (var i = 0; i < 3; i++)
        {
            TakeCount();
            var listed = await client.GetFromJsonAsync<JsonElement>("/admin/projects");
            Assert.Equal(2, listed.GetProperty("data").GetArrayLength());
            Assert.Equal(2, TakeCount());
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task AnAccountWithoutAnOrganizationRole_IsRefusedAfterTheGatesOneRead_NotAfterTwo()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgMember);
        var client = _api.Client(await _api.TokenAsync(robot));
        Assert.True((await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>()
            .RemoveOrgRoleAsync(_api.OrgId, robot.Account.Id, Role.OrgMember))).IsSuccess);

        TakeCount();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/projects")).StatusCode);
        Assert.Equal(1, TakeCount());
    }

    [Fact(Timeout = 90_000)]
    public async Task TheGatesRead_AnswersOnlyTheFirstCheckOfTheRequest_ALaterCheckReadsAgain()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        await using var scope = _api.App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var active = await services.GetRequiredService<ServiceAccountService>().FindActiveAsync(robot.Account.Id, await SecretStampAsync(robot.Account.Id));
        Assert.NotNull(active);
        Assert.Equal([Role.OrgOwner], active.Membership.Roles);
        services.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.ServiceAccount, robot.Account.Id.ToString(), active.Name);
        var authorizer = services.GetRequiredService<Authorizer>();
        authorizer.UseForFirstCheck(active.Membership);

        // The role changes between the gate's read and the request's second check (e.g. the request itself changed it).
        Assert.True((await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>()
            .ChangeRoleAsync(_api.OrgId, robot.Account.Id, Role.OrgMember))).IsSuccess);

        Assert.True((await authorizer.DemandAsync(_api.OrgId, Permission.ManageServiceAccounts)).IsSuccess); // the gate's read
        var second = await authorizer.DemandAsync(_api.OrgId, Permission.ManageServiceAccounts); // read again
        Assert.False(second.IsSuccess);
        Assert.Equal(Role.OrgMember, (await authorizer.GetAccessAsync(_api.OrgId))!.Role);
    }

    [Fact(Timeout = 90_000)]
    public async Task TheGatesRead_IsNotUsedForAnotherActorOrOrganization()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var other = await _api.ServiceAccountAsync(Role.OrgMember);
        await using var scope = _api.App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var active = await services.GetRequiredService<ServiceAccountService>().FindActiveAsync(robot.Account.Id, await SecretStampAsync(robot.Account.Id));
        var authorizer = services.GetRequiredService<Authorizer>();
        authorizer.UseForFirstCheck(active!.Membership);

        // Another account acting in this scope gets its own roles, not the remembered owner's.
        services.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.ServiceAccount, other.Account.Id.ToString(), other.Account.Name);
        Assert.False((await authorizer.DemandAsync(_api.OrgId, Permission.ManageServiceAccounts)).IsSuccess);
        // ... and a user with the same id string is not the service account.
        services.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, robot.Account.Id.ToString(), "x");
        Assert.Null(await authorizer.GetAccessAsync(_api.OrgId));
    }

    private async Task<Guid> SecretStampAsync(Guid accountId)
    {
        await using var db = await _api.DbAsync();
        return await db.ServiceAccounts.Where(a => a.Id == accountId).Select(a => a.SecretStamp).SingleAsync();
    }

    private long _keptRuns;

    /// <summary>
    /// How many database commands requests to /admin/projects ran since the last call: through EF Core, and on SQLite's
    /// kept read connections (the gate's read and the list run there; only this test's requests run while it counts).
    /// </summary>
    private int TakeCount()
    {
        var kept = _api.App.Services.GetRequiredService<KeptReadConnections>().Runs;
        var count = _commands.Taken().Count + (int)(kept - _keptRuns);
        _keptRuns = kept;
        _commands.Watch();
        return count;
    }
}
