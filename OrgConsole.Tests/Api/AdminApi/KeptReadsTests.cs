using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// Issue 17: on SQLite the Admin API gate's account-and-roles read and the project lists run as prepared statements on
/// kept-open connections (<see cref="KeptReadConnections"/>) instead of through EF Core. Rules: the answers are the same
/// as EF Core's (same JSON, same account and roles), a change is seen by the next request, many parallel requests share
/// a bounded set of connections, and stopping the app closes them all.
/// </summary>
public sealed class KeptReadsTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private KeptReadConnections Kept => _api.App.Services.GetRequiredService<KeptReadConnections>();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<string> ListAsync(HttpClient client)
    {
        var response = await client.GetAsync("/admin/projects");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact(Timeout = 90_000)]
    public async Task TheProjectLists_OnKeptConnections_AreTheSameJsonAsThroughEfCore()
    {
        Assert.True(Kept.Enabled);
        var owner = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner)));
        var member = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgMember)));
        var memberWithout = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgMember)));
        // The member owns a project it created (a project role of its own), and holds none in the others.
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync("/admin/projects", Json("""{"name":"robot-made"}"""))).StatusCode);

        foreach (var (client, count) in new[] { (owner, 3), (member, 1), (memberWithout, 0) })
        {
            var runs = Kept.Runs;
            var kept = await ListAsync(client);
            Assert.Equal(runs + 2, Kept.Runs); // the gate's read and the list, both on the kept connections

            Kept.Enabled = false;
            try
            {
                var ef = await ListAsync(client);
                Assert.Equal(runs + 2, Kept.Runs); // neither: EF Core read them
                Assert.Equal(ef, kept);
                Assert.Equal(count, JsonDocument.Parse(kept).RootElement.GetProperty("data").GetArrayLength());
            }
            finally
            {
                Kept.Enabled = true;
            }
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task TheGatesRead_OnKeptConnections_IsTheSameAccountAndRolesAsThroughEfCore()
    {
        var owner = await _api.ServiceAccountAsync(Role.OrgOwner);
        var roleless = await _api.ServiceAccountAsync(Role.OrgMember);
        Assert.True((await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>()
            .RemoveOrgRoleAsync(_api.OrgId, roleless.Account.Id, Role.OrgMember))).IsSuccess);

        await using var scope = _api.App.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<ServiceAccountService>();
        foreach (var account in new[] { owner, roleless })
        {
            var stamp = await SecretStampAsync(account.Account.Id);
            foreach (var askedStamp in new[] { stamp, Guid.NewGuid() })
            {
                var kept = await accounts.FindActiveAsync(account.Account.Id, askedStamp);
                Kept.Enabled = false;
                ActiveServiceAccount? ef;
                try { ef = await accounts.FindActiveAsync(account.Account.Id, askedStamp); }
                finally { Kept.Enabled = true; }

                Assert.Equal(askedStamp == stamp, kept is not null);
                Assert.Equal(Describe(ef), Describe(kept));
            }
        }
        Assert.Null(await accounts.FindActiveAsync(Guid.NewGuid(), Guid.NewGuid()));
    }

    private static string Describe(ActiveServiceAccount? a) => a is null ? "none" :
        $"{a.Id} {a.OrganizationId} {a.Name} {a.SecretStamp} | {a.Membership.OrganizationId} {a.Membership.OrganizationName} {a.Membership.Plan} " +
        $"{a.Membership.PrincipalType} {a.Membership.PrincipalId} [{string.Join(",", a.Membership.Roles)}]";

    [Fact(Timeout = 90_000)]
    public async Task ADeletedProject_LeavesTheListAtTheNextRequest_AndARevokedRoleEmptiesIt()
    {
        var owner = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner)));
        var robot = await _api.ServiceAccountAsync(Role.OrgMember);
        var member = _api.Client(await _api.TokenAsync(robot));
        var created = await (await member.PostAsync("/admin/projects", Json("""{"name":"short-lived"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        for (var i = 0; i < 10; i++) Assert.Contains("short-lived", await ListAsync(owner)); // warm: every kept connection has it prepared
        Assert.Contains("short-lived", await ListAsync(member));

        Assert.Equal(HttpStatusCode.Accepted, (await owner.DeleteAsync($"/admin/projects/{created.GetProperty("id").GetString()}")).StatusCode);

        Assert.DoesNotContain("short-lived", await ListAsync(owner));
        Assert.DoesNotContain("short-lived", await ListAsync(member));

        Assert.True((await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>()
            .RemoveOrgRoleAsync(_api.OrgId, robot.Account.Id, Role.OrgMember))).IsSuccess);
        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync("/admin/projects")).StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task TheGateAndTheLists_AreParsedAndPlannedOnce_NotAgainForEachRequestsValues()
    {
        var owner = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner)));
        var member = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgMember)));
        var runs = Kept.Runs;

        for (var i = 0; i < 10; i++)
        {
            await ListAsync(owner);
            await ListAsync(member); // another account and other roles bound to the same statements
        }

        Assert.True(Kept.Runs - runs >= 40, "the gate and the lists ran on kept connections");
        Assert.Equal(0, Kept.Reprepares());
    }

    [Fact(Timeout = 120_000)]
    public async Task ManyParallelRequests_ShareABoundedSetOfConnections_AndGetTheSameAnswer()
    {
        var client = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner)));
        var expected = await ListAsync(client);

        var answers = await Task.WhenAll(Enumerable.Range(0, 48).Select(_ => Task.Run(async () =>
        {
            var mine = new List<string>();
            for (var i = 0; i < 10; i++) mine.Add(await ListAsync(client));
            return mine;
        })));

        Assert.All(answers.SelectMany(a => a), answer => Assert.Equal(expected, answer));
        Assert.InRange(Kept.PeakInUse, 1, Kept.MaxConnections);
        Assert.InRange(Kept.OpenConnections, 1, Kept.MaxConnections);
    }

    [Fact(Timeout = 90_000)]
    public async Task StoppingTheApp_ClosesEveryKeptConnection()
    {
        var client = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner)));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ListAsync(client)));
        var kept = Kept;
        Assert.True(kept.OpenConnections > 0);

        await _api.App.DisposeAsync();

        // The app's own entry point (Program's Run) disposes the host as it stops, on its own thread, and the factory's
        // dispose returns at once when that one has begun: the services' disposal may still be under way here.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (kept.OpenConnections != 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, kept.OpenConnections);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await kept.ReadAsync(new KeptQuery("SELECT 1"), 0, static (_, _) => { }, static r => r.Read()));
    }

    private async Task<Guid> SecretStampAsync(Guid accountId)
    {
        await using var db = await _api.DbAsync();
        return await db.ServiceAccounts.Where(a => a.Id == accountId).Select(a => a.SecretStamp).SingleAsync();
    }
}
