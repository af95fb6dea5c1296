using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Audit;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>Issue 17: concurrent token requests each leave their audit event, chained, before the token is answered.</summary>
public sealed class TokenAuditTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task ConcurrentTokenRequests_EachLeaveTheirAuditEvent_AndTheChainVerifies()
    {
        var accounts = new[] { await _api.ServiceAccountAsync(Role.OrgOwner), await _api.ServiceAccountAsync(Role.OrgOwner) };
        await using var before = await _api.DbAsync();
        var eventsBefore = await before.AuditEvents.CountAsync(e => e.OrganizationId == _api.OrgId && e.Action == "service_account.token_issued");
        const int perAccount = 15; // under the per-client limit

        var responses = await Task.WhenAll(accounts.SelectMany(a => Enumerable.Range(0, perAccount).Select(_ =>
            Task.Run(() => _api.RequestTokenAsync(a.Account.ClientId, a.ClientSecret)))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var db = await _api.DbAsync();
        foreach (var account in accounts)
        {
            var id = account.Account.Id.ToString();
            Assert.Equal(perAccount, await db.AuditEvents.CountAsync(e => e.OrganizationId == _api.OrgId && e.Action == "service_account.token_issued" && e.TargetId == id));
        }
        Assert.Equal(eventsBefore + 2 * perAccount, await db.AuditEvents.CountAsync(e => e.OrganizationId == _api.OrgId && e.Action == "service_account.token_issued"));
        await using var scope = _api.App.Services.CreateAsyncScope();
        var check = await scope.ServiceProvider.GetRequiredService<AuditLog>().VerifyAsync(_api.OrgId);
        Assert.True(check.IsIntact, check.Message);
    }
}
