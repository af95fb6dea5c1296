using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Members;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// Property-style: random sequences of role-binding creates and deletes through the Admin API and "Change role" through
/// the member service, checked after every step against a model of SPEC §1.3a: the organization never loses its last
/// owner, every answer is the one the model predicts, and each member may do exactly the union of their roles.
/// </summary>
public sealed class RoleBindingPropertyTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory(Timeout = 180_000)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public async Task RandomBindingChanges_NeverLeaveTheOrganizationWithoutAnOwner_AndAlwaysAnswerAsTheUnion(int seed)
    {
        var random = new Random(seed);
        var robot = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = _api.Client(await _api.TokenAsync(robot));
        var org = _api.OrgId;

        // The model: each member's organization roles, and who holds project roles (never changed here).
        Dictionary<string, HashSet<Role>> model;
        HashSet<string> withProjectRoles;
        await using (var db = await _api.DbAsync())
        {
            var rows = await db.RoleAssignments.Where(r => r.OrganizationId == org && r.PrincipalType == PrincipalType.User).ToListAsync();
            model = rows.Where(r => r.ProjectId == null).GroupBy(r => r.PrincipalId).ToDictionary(g => g.Key, g => g.Select(r => r.Role).ToHashSet());
            withProjectRoles = rows.Where(r => r.ProjectId != null).Select(r => r.PrincipalId).ToHashSet();
        }
        var people = model.Keys.Order().ToList();
        int Owners() => model.Count(m => m.Value.Contains(Role.OrgOwner));

        for (var step = 0; step < 40; step++)
        {
            var user = people[random.Next(people.Count)];
            var role = Roles.OrganizationRoles[random.Next(Roles.OrganizationRoles.Count)];
            var held = model.GetValueOrDefault(user);
            var what = $"seed {seed} step {step}: ";
            switch (random.Next(3))
            {
                case 0:
                {
                    var response = await client.PostAsync("/admin/role-bindings", Json(
                        $$"""{"principal_type":"user","principal_id":"{{user}}","resource_type":"organization","role":"{{role}}"}"""));
                    var expected = held is null ? HttpStatusCode.NotFound : held.Contains(role) ? HttpStatusCode.Conflict : HttpStatusCode.OK;
                    Assert.True(expected == response.StatusCode, what + $"create {role} for {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    if (expected == HttpStatusCode.OK) held!.Add(role);
                    break;
                }
                case 1:
                {
                    if (held is null) continue;
                    var target = held.ElementAt(random.Next(held.Count));
                    var list = JsonDocument.Parse(await client.GetStringAsync($"/admin/role-bindings?principal_type=user&principal_id={user}&resource_type=organization&role={target}")).RootElement;
                    var id = list.GetProperty("data").EnumerateArray().Single().GetProperty("id").GetString();
                    var response = await client.DeleteAsync($"/admin/role-bindings/{id}");
                    var lastOwner = target == Role.OrgOwner && Owners() == 1;
                    var lastWithProjects = held.Count == 1 && withProjectRoles.Contains(user);
                    var expected = lastOwner || lastWithProjects ? HttpStatusCode.Conflict : HttpStatusCode.Accepted;
                    Assert.True(expected == response.StatusCode, what + $"delete {target} of {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    if (expected == HttpStatusCode.Accepted)
                    {
                        held.Remove(target);
                        if (held.Count == 0) model.Remove(user);
                    }
                    break;
                }
                default:
                {
                    await using var scope = _api.App.Services.CreateAsyncScope();
                    scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.ServiceAccount, robot.Account.Id.ToString(), robot.Account.Name);
                    var result = await scope.ServiceProvider.GetRequiredService<MemberService>().ChangeRoleAsync(org, user, role);
                    var refused = held is not null && role != Role.OrgOwner && held.Contains(Role.OrgOwner) && Owners() == 1;
                    if (held is null) Assert.True(result.Error?.Kind == OrgConsole.Common.ErrorKind.NotFound, what + "change role of a non-member");
                    else if (refused) Assert.True(result.Error?.Kind == OrgConsole.Common.ErrorKind.Conflict, what + $"demoting the last owner {user} to {role}");
                    else
                    {
                        Assert.True(result.IsSuccess, what + result.Error?.Message);
                        model[user] = [role];
                    }
                    break;
                }
            }
            await AssertMatchesTheModelAsync(model, what);
        }
    }

    private async Task AssertMatchesTheModelAsync(Dictionary<string, HashSet<Role>> model, string what)
    {
        await using (var db = await _api.DbAsync())
        {
            var rows = await db.RoleAssignments.AsNoTracking()
                .Where(r => r.OrganizationId == _api.OrgId && r.ProjectId == null && r.PrincipalType == PrincipalType.User).ToListAsync();
            var actual = rows.GroupBy(r => r.PrincipalId).ToDictionary(g => g.Key, g => g.Select(r => r.Role).Order().ToList());
            Assert.True(model.Count == actual.Count && model.All(m => actual.TryGetValue(m.Key, out var a) && a.SequenceEqual(m.Value.Order())), what + "bindings differ from the model");
            Assert.True(actual.Values.Count(v => v.Contains(Role.OrgOwner)) >= 1, what + "no owner left");
            var memberCount = await db.Organizations.Where(o => o.Id == _api.OrgId).Select(o => o.MemberCount).SingleAsync();
            Assert.True(model.Count == memberCount, what + $"member count {memberCount}, members {model.Count}");
        }
        foreach (var (user, roles) in model)
        {
            var access = await _api.AsUserAsync(user, sp => sp.GetRequiredService<Authorizer>().GetAccessAsync(_api.OrgId));
            Assert.NotNull(access);
            foreach (var (permission, _) in RolePermissions.OrganizationTable)
            {
                Assert.True(roles.Any(r => RolePermissions.Grants(r, permission)) == access.Can(permission), what + $"{user} {permission}");
            }
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task AProjectBindingWithAnotherRole_IsAdded_NotRewritten_AndEachIsDeletedAlone()
    {
        var client = await _api.ClientForRoleAsync(Role.OrgOwner);
        var eli = await _api.UserIdAsync("eli@acme.example");
        string Body(string role) => $$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"{{role}}"}""";

        var member = JsonDocument.Parse(await (await client.PostAsync("/admin/role-bindings", Json(Body("ProjectMember")))).Content.ReadAsStringAsync()).RootElement;
        var owner = await client.PostAsync("/admin/role-bindings", Json(Body("ProjectOwner")));
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/admin/role-bindings", Json(Body("ProjectOwner")))).StatusCode);

        var held = JsonDocument.Parse(await client.GetStringAsync($"/admin/role-bindings?principal_type=user&principal_id={eli}&resource_type=project&resource_id={_api.SearchProjectId}")).RootElement;
        Assert.Equal(["ProjectMember", "ProjectOwner"], held.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("role").GetString()).Order());
        Assert.Contains(held.GetProperty("data").EnumerateArray(), b => b.GetProperty("id").GetString() == member.GetProperty("id").GetString()); // kept, not rewritten

        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/admin/role-bindings/{member.GetProperty("id").GetString()}")).StatusCode);
        var access = await _api.AsUserAsync(eli, sp => sp.GetRequiredService<Authorizer>().GetProjectAccessAsync(_api.OrgId, _api.SearchProjectId));
        Assert.True(access!.Can(Permission.ManageApiKeys)); // still Project owner
    }
}
