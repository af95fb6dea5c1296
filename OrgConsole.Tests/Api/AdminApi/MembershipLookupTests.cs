using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// Issue 13 §3: one role change through the API does one membership lookup — the caller's roles are read once (since issue
/// 17 by the Admin API gate, with the account, and handed to the owning service's first <c>DemandAsync</c>), however many
/// layers (API → role-binding view → feature service) the change passes through.
/// </summary>
public sealed class MembershipLookupTests : IAsyncLifetime
{
    private readonly MembershipReads _reads = new();
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync()
    {
        _api = await AdminApiHarness.StartAsync(services => services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(_reads)));
        // On SQLite the gate's account-and-roles read runs on the kept read connections, not through EF Core: count it there too.
        _api.App.Services.GetRequiredService<KeptReadConnections>().Executing = _reads.Count;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact(Timeout = 120_000)]
    public async Task GrantingAndRemovingAPersonsOrganizationRole_ReadsTheCallersMembershipOnce()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = _api.Client(await _api.TokenAsync(robot));
        var eli = await _api.UserIdAsync("eli@acme.example");
        _reads.Watch(robot.Account.Id.ToString());

        var created = await client.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"organization","role":"OrgBillingAdmin"}"""));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(1, _reads.Take());

        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/admin/role-bindings/{id}")).StatusCode);
        Assert.Equal(1, _reads.Take());
    }

    [Fact(Timeout = 120_000)]
    public async Task GrantingAndRemovingAServiceAccountsOrganizationRole_ReadsTheCallersMembershipOnce()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = _api.Client(await _api.TokenAsync(robot));
        var other = await _api.ServiceAccountAsync(Role.OrgMember);
        _reads.Watch(robot.Account.Id.ToString());

        var created = await client.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"service_account","principal_id":"{{other.Account.Id}}","resource_type":"organization","role":"OrgBillingAdmin"}"""));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(1, _reads.Take());

        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/admin/role-bindings/{id}")).StatusCode);
        Assert.Equal(1, _reads.Take());
    }

    [Fact(Timeout = 120_000)]
    public async Task ListingEveryRoleBinding_InvitesIncluded_ReadsTheCallersMembershipOnce()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = _api.Client(await _api.TokenAsync(robot));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/admin/invites", Json(
            """{"email":"newcomer@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}"""))).StatusCode);
        _reads.Watch(robot.Account.Id.ToString());

        var list = JsonDocument.Parse(await client.GetStringAsync("/admin/role-bindings")).RootElement;
        Assert.Contains(list.GetProperty("data").EnumerateArray(), b => b.GetProperty("principal_type").GetString() == "invite");
        Assert.Equal(1, _reads.Take());
    }

    /// <summary>Counts the commands that read the role assignments (memberships) of one principal: the caller's membership lookups.</summary>
    private sealed class MembershipReads : DbCommandInterceptor
    {
        private string? _principalId;
        private int _count;

        public void Watch(string principalId)
        {
            _principalId = principalId;
            Interlocked.Exchange(ref _count, 0);
        }

        public int Take() => Interlocked.Exchange(ref _count, 0);

        public void Count(DbCommand command)
        {
            if (_principalId is not { } watched || !command.CommandText.Contains("\"RoleAssignments\"", StringComparison.Ordinal)) return;
            if (command.Parameters.Cast<DbParameter>().Any(p => watched.Equals(p.Value as string, StringComparison.OrdinalIgnoreCase))) Interlocked.Increment(ref _count);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Count(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Count(command);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
            CancellationToken cancellationToken = default)
        {
            Count(command);
            return ValueTask.FromResult(result);
        }
    }
}
