using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// Rule: an access token carries who the account is, never what it may do — a change to the account's organization roles
/// counts from its very next request with the same token, however warm the request path is (nothing on it may remember
/// an account's roles). Deleting the account and rotating its secret are covered in <see cref="TokenLifecycleTests"/>.
/// </summary>
public sealed class RoleChangeTakesEffectTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpClient> WarmClientAsync(ServiceAccountWithSecret account)
    {
        var client = _api.Client(await _api.TokenAsync(account));
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/projects")).StatusCode);
        return client;
    }

    [Fact(Timeout = 90_000)]
    public async Task ADowngradedAccount_LosesTheOwnersRights_OnItsVeryNextRequest()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = await WarmClientAsync(robot);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/admin/projects", Json("""{"name":"made-by-robot"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/service-accounts")).StatusCode);
        Assert.Equal(3, (await client.GetFromJsonAsync<JsonElement>("/admin/projects")).GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/admin/projects/{_api.SearchProjectId}")).StatusCode);

        var changed = await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>().ChangeRoleAsync(_api.OrgId, robot.Account.Id, Role.OrgMember));
        Assert.True(changed.IsSuccess, changed.Error?.Message);

        // An owner-only operation is refused (403 in the API's error shape) ...
        var manage = await client.GetAsync("/admin/service-accounts");
        Assert.Equal(HttpStatusCode.Forbidden, manage.StatusCode);
        var body = await manage.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(403, body.GetProperty("status").GetInt32());
        Assert.Equal("PERMISSION_DENIED", body.GetProperty("error").GetProperty("code").GetString());
        // ... the implicit ownership of every project is gone: it sees only the project it created (its creator owns it) ...
        var listed = await client.GetFromJsonAsync<JsonElement>("/admin/projects");
        Assert.Equal(["made-by-robot"], listed.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        // ... and a project it held only through the owner role is now one it cannot see.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/projects/{_api.SearchProjectId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsync($"/admin/projects/{_api.SearchProjectId}", Json("""{"name":"taken over"}"""))).StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task AnAccountWhoseLastOrganizationRoleIsRemoved_IsRefusedOnItsVeryNextRequest()
    {
        var robot = await _api.ServiceAccountAsync(Role.OrgMember);
        var client = await WarmClientAsync(robot);

        var removed = await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>().RemoveOrgRoleAsync(_api.OrgId, robot.Account.Id, Role.OrgMember));
        Assert.True(removed.IsSuccess, removed.Error?.Message);

        // An organization the caller holds no role in looks like one that does not exist (the API's convention: 404).
        var refused = await client.GetAsync("/admin/projects");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("NOT_FOUND", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/admin/projects", Json("""{"name":"after-removal"}"""))).StatusCode);
    }
}
