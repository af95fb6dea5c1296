using System.Net;
using System.Text;
using System.Text.Json;
using OrgConsole.Access;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>SPEC §1.3a for service accounts: no binding means no role; organization bindings add up and may all be deleted.</summary>
public sealed class ServiceAccountBindingTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact(Timeout = 90_000)]
    public async Task AnAccountCreatedWithoutBindings_HoldsNoRole_UntilOneIsBound_AndItsBindingsAddUp()
    {
        var owner = await _api.ClientForRoleAsync(Role.OrgOwner);
        var created = JsonDocument.Parse(await (await owner.PostAsync("/admin/service-accounts", Json("""{"name":"bare"}"""))).Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("service_account").GetProperty("id").GetString();
        var token = await _api.RequestTokenAsync(created.GetProperty("service_account").GetProperty("client_id").GetString()!, created.GetProperty("client_secret").GetString()!);
        var bare = _api.Client(JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());

        var none = JsonDocument.Parse(await owner.GetStringAsync($"/admin/role-bindings?principal_type=service_account&principal_id={id}")).RootElement;
        Assert.Equal(0, none.GetProperty("data").GetArrayLength()); // not silently OrgMember
        Assert.Equal(HttpStatusCode.NotFound, (await bare.GetAsync("/admin/projects")).StatusCode);

        var member = await owner.PostAsync("/admin/role-bindings", Json($$"""{"principal_type":"service_account","principal_id":"{{id}}","resource_type":"organization","role":"OrgMember"}"""));
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bare.GetAsync("/admin/projects")).StatusCode);
        var billing = await owner.PostAsync("/admin/role-bindings", Json($$"""{"principal_type":"service_account","principal_id":"{{id}}","resource_type":"organization","role":"OrgBillingAdmin"}"""));
        Assert.Equal(HttpStatusCode.OK, billing.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync("/admin/role-bindings",
            Json($$"""{"principal_type":"service_account","principal_id":"{{id}}","resource_type":"organization","role":"OrgBillingAdmin"}"""))).StatusCode);
        var both = JsonDocument.Parse(await owner.GetStringAsync($"/admin/role-bindings?principal_type=service_account&principal_id={id}")).RootElement;
        Assert.Equal(["OrgBillingAdmin", "OrgMember"], both.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("role").GetString()).Order());

        foreach (var binding in both.GetProperty("data").EnumerateArray())
        {
            Assert.Equal(HttpStatusCode.Accepted, (await owner.DeleteAsync($"/admin/role-bindings/{binding.GetProperty("id").GetString()}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await bare.GetAsync("/admin/projects")).StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task AProjectBindingWithAnotherRole_IsAdded_NotRewritten()
    {
        var owner = await _api.ClientForRoleAsync(Role.OrgOwner);
        var robot = await _api.ServiceAccountAsync(Role.OrgMember);
        string Body(string role) => $$"""{"principal_type":"service_account","principal_id":"{{robot.Account.Id}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"{{role}}"}""";

        var member = JsonDocument.Parse(await (await owner.PostAsync("/admin/role-bindings", Json(Body("ProjectMember")))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync("/admin/role-bindings", Json(Body("ProjectOwner")))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync("/admin/role-bindings", Json(Body("ProjectMember")))).StatusCode);
        var held = JsonDocument.Parse(await owner.GetStringAsync($"/admin/role-bindings?principal_type=service_account&principal_id={robot.Account.Id}&resource_type=project&resource_id={_api.SearchProjectId}")).RootElement;
        Assert.Equal(["ProjectMember", "ProjectOwner"], held.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("role").GetString()).Order());

        Assert.Equal(HttpStatusCode.Accepted, (await owner.DeleteAsync($"/admin/role-bindings/{member.GetProperty("id").GetString()}")).StatusCode);
        var left = JsonDocument.Parse(await owner.GetStringAsync($"/admin/role-bindings?principal_type=service_account&principal_id={robot.Account.Id}&resource_type=project&resource_id={_api.SearchProjectId}")).RootElement;
        Assert.Equal("ProjectOwner", left.GetProperty("data").EnumerateArray().Single().GetProperty("role").GetString());
    }
}
