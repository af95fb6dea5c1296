using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Invitations;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// GET /admin/role-bindings with many pending invites: filters and pages are cut in SQL (one UNION query), and walking the
/// pages with any filter yields exactly the matching bindings of the caller's organization, each once — never another's.
/// </summary>
public class RoleBindingListTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact(Timeout = 180_000)]
    public async Task ManyInvites_FilteredAndPaged_YieldEveryMatchingBindingOnce_AndNoneOfAnotherOrganization()
    {
        var globex = await _api.OtherOrganizationAsync();
        // Globex invites too, with a project role on its own project: none of these may ever appear for Acme.
        var theirs = await _api.AsUserAsync(globex.OwnerId, sp => sp.GetRequiredService<InvitationService>().InviteAsync(globex.OrgId,
            new InviteRequest([.. Enumerable.Range(0, 6).Select(i => $"spy{i}@globex.example")], Role.OrgMember, [new ProjectGrant(globex.ProjectId, Role.ProjectMember)])));
        Assert.True(theirs.IsSuccess, theirs.Error?.Message);
        // Acme: 12 invites as User with Project user on Search, 11 as Billing admin without project roles.
        var search = await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<InvitationService>().InviteAsync(_api.OrgId,
            new InviteRequest([.. Enumerable.Range(0, 12).Select(i => $"dev{i}@acme.example")], Role.OrgMember, [new ProjectGrant(_api.SearchProjectId, Role.ProjectMember)])));
        Assert.True(search.IsSuccess, search.Error?.Message);
        var billing = await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<InvitationService>().InviteAsync(_api.OrgId,
            new InviteRequest([.. Enumerable.Range(0, 11).Select(i => $"money{i}@acme.example")], Role.OrgBillingAdmin)));
        Assert.True(billing.IsSuccess, billing.Error?.Message);

        var client = await _api.ClientForRoleAsync(Role.OrgOwner);
        // What the database holds for Acme: every role assignment and every pending invite's binding.
        List<(string Id, string Type, string Principal, Guid? Project, string Role)> all;
        await using (var db = await _api.DbAsync())
        {
            var assigned = (await db.RoleAssignments.Where(r => r.OrganizationId == _api.OrgId).ToListAsync())
                .Select(r => (r.Id.ToString(), r.PrincipalType switch { PrincipalType.User => "user", PrincipalType.ServiceAccount => "service_account", _ => "api_key" },
                    r.PrincipalId, r.ProjectId, r.Role.ToString()));
            var invited = (await (from r in db.InvitationRoles join i in db.Invitations on r.InvitationId equals i.Id
                                  where r.OrganizationId == _api.OrgId && i.Status == InvitationStatus.Pending select r).ToListAsync())
                .Select(r => (r.Id.ToString(), "invite", r.InvitationId.ToString(), r.ProjectId, r.Role.ToString()));
            all = [.. assigned, .. invited];
        }
        Assert.Equal(12 * 2 + 11, all.Count(b => b.Type == "invite"));

        async Task CheckAsync(string query, Func<(string Id, string Type, string Principal, Guid? Project, string Role), bool> matches, int limit)
        {
            var expected = all.Where(matches).Select(b => b.Id).Order().ToList();
            var seen = new List<string>();
            string? next = null;
            for (var page = 0; page < 100; page++)
            {
                var url = $"/admin/role-bindings?limit={limit}{query}" + (next is null ? "" : $"&paginationToken={Uri.EscapeDataString(next)}");
                var response = await client.GetAsync(url);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {await response.Content.ReadAsStringAsync()}");
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                var data = body.GetProperty("data").EnumerateArray().ToList();
                Assert.True(data.Count <= limit);
                foreach (var b in data)
                {
                    var id = b.GetProperty("id").GetString()!;
                    var known = all.SingleOrDefault(x => x.Id == id);
                    Assert.True(known.Id is not null, $"{query}: binding {id} is not one of the organization's.");
                    Assert.Equal(known.Type, b.GetProperty("principal_type").GetString());
                    Assert.Equal(known.Principal, b.GetProperty("principal_id").GetString());
                    Assert.Equal(known.Role, b.GetProperty("role").GetString());
                    seen.Add(id);
                }
                next = body.TryGetProperty("pagination", out var pagination) ? pagination.GetProperty("next").GetString() : null;
                if (next is null) break;
                Assert.Equal(limit, data.Count);
            }
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal(expected, seen.Order().ToList());
        }

        await CheckAsync("&principal_type=invite", b => b.Type == "invite", 7);
        await CheckAsync("", _ => true, 9);
        await CheckAsync($"&principal_type=invite&resource_type=project&resource_id={_api.SearchProjectId}", b => b.Type == "invite" && b.Project == _api.SearchProjectId, 5);
        await CheckAsync("&resource_type=organization&role=OrgBillingAdmin", b => b.Project is null && b.Role == "OrgBillingAdmin", 4);
        await CheckAsync("&role=ProjectMember", b => b.Role == "ProjectMember", 6);
        var oneInvite = search.Value.Invited[3].Id.ToString();
        await CheckAsync($"&principal_type=invite&principal_id={oneInvite}", b => b.Type == "invite" && b.Principal == oneInvite, 1);

        // Another organization's invite, named outright, is no binding of this one.
        var spy = theirs.Value.Invited[0].Id;
        var spied = await client.GetStringAsync($"/admin/role-bindings?principal_type=invite&principal_id={spy}");
        Assert.Equal(0, JsonDocument.Parse(spied).RootElement.GetProperty("data").GetArrayLength());
        await using var ctx = await _api.DbAsync();
        var spyBinding = await ctx.InvitationRoles.FirstAsync(r => r.InvitationId == spy);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/role-bindings/{spyBinding.Id}")).StatusCode);
    }
}
