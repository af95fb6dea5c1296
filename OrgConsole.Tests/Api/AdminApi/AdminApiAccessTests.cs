using System.Net;
using System.Text;
using System.Text.Json;
using OrgConsole.Access;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>The permission matrix over HTTP, isolation between organizations, and a malformed-input sweep over every operation.</summary>
public sealed class AdminApiAccessTests(AdminApiAccessTests.Fixture fixture) : IClassFixture<AdminApiAccessTests.Fixture>
{
    /// <summary>One app for the whole class: every test arranges fresh targets, so they do not depend on each other.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public AdminApiHarness Api { get; private set; } = null!;

        public async Task InitializeAsync() => Api = await AdminApiHarness.StartAsync();

        public async Task DisposeAsync() => await Api.DisposeAsync();
    }

    private readonly AdminApiHarness _api = fixture.Api;

    /// <summary>Ids of things in the demo organization the operations act on; made fresh per call where the call destroys them.</summary>
    private sealed record Targets(Guid Project, Guid Key, string User, Guid Invite, Guid Account, Guid Binding);

    private async Task<Targets> FreshTargetsAsync()
    {
        var project = (await _api.AsUserAsync(_api.OwnerId, sp => Svc<OrgConsole.Features.Projects.ProjectService>(sp).CreateAsync(_api.OrgId, $"t-{Guid.NewGuid():N}"))).Value;
        var key = (await _api.AsUserAsync(_api.OwnerId, sp => Svc<OrgConsole.Features.ApiKeys.ApiKeyService>(sp).CreateAsync(_api.OrgId, _api.SearchProjectId, "k", null))).Value.Id;
        var user = await _api.UserIdAsync("eli@acme.example");
        var invite = (await _api.AsUserAsync(_api.OwnerId, sp => Svc<OrgConsole.Features.Invitations.InvitationService>(sp)
            .InviteAsync(_api.OrgId, new OrgConsole.Features.Invitations.InviteRequest([$"i-{Guid.NewGuid():N}@acme.example"], Role.OrgMember)))).Value.Invited.Single().Id;
        var account = (await _api.ServiceAccountAsync(Role.OrgMember)).Account.Id;
        var dana = await _api.UserIdAsync("dana@acme.example");
        Assert.True((await _api.AsUserAsync(_api.OwnerId, sp => Svc<OrgConsole.Features.Projects.ProjectMemberService>(sp).AddAsync(_api.OrgId, project, dana, Role.ProjectMember))).IsSuccess);
        await using var db = await _api.DbAsync();
        var binding = db.RoleAssignments.Single(r => r.PrincipalId == dana && r.ProjectId == project).Id;
        return new Targets(project, key, user, invite, account, binding);
    }

    private static T Svc<T>(IServiceProvider sp) where T : notnull => (T)sp.GetService(typeof(T))!;

    /// <summary>Every operation: how to call it, and the status each org role's token gets (Owner, User, Billing admin).</summary>
    private static readonly (string Name, Func<Targets, AdminApiHarness, HttpRequestMessage> Request, int Owner, int Member, int Billing)[] Operations =
    [
        ("list_projects", (t, a) => Get("/admin/projects"), 200, 200, 200),
        ("create_project", (t, a) => Send(HttpMethod.Post, "/admin/projects", $$"""{"name":"n-{{Guid.NewGuid():N}}"}"""), 200, 200, 403),
        ("fetch_project", (t, a) => Get($"/admin/projects/{t.Project}"), 200, 404, 404),
        ("update_project", (t, a) => Send(HttpMethod.Patch, $"/admin/projects/{t.Project}", """{"name":"renamed"}"""), 200, 404, 404),
        ("delete_project", (t, a) => Send(HttpMethod.Delete, $"/admin/projects/{t.Project}"), 202, 404, 404),
        ("list_organizations", (t, a) => Get("/admin/organizations"), 200, 200, 200),
        ("fetch_organization", (t, a) => Get($"/admin/organizations/{a.OrgId}"), 200, 200, 200),
        ("update_organization", (t, a) => Send(HttpMethod.Patch, $"/admin/organizations/{a.OrgId}", """{"name":"Acme Corp"}"""), 200, 403, 403),
        ("delete_organization", (t, a) => Send(HttpMethod.Delete, $"/admin/organizations/{a.OrgId}"), 409, 403, 403),
        ("list_project_api_keys", (t, a) => Get($"/admin/projects/{a.SearchProjectId}/api-keys"), 200, 404, 404),
        ("create_api_key", (t, a) => Send(HttpMethod.Post, $"/admin/projects/{a.SearchProjectId}/api-keys", """{"name":"k"}"""), 201, 404, 404),
        ("fetch_api_key", (t, a) => Get($"/admin/api-keys/{t.Key}"), 200, 404, 404),
        ("update_api_key", (t, a) => Send(HttpMethod.Patch, $"/admin/api-keys/{t.Key}", """{"name":"k2"}"""), 200, 404, 404),
        ("delete_api_key", (t, a) => Send(HttpMethod.Delete, $"/admin/api-keys/{t.Key}"), 202, 404, 404),
        ("list_users", (t, a) => Get("/admin/users"), 200, 200, 200),
        ("fetch_user", (t, a) => Get($"/admin/users/{t.User}"), 200, 200, 200),
        ("delete_user", (t, a) => Send(HttpMethod.Delete, $"/admin/users/{Guid.NewGuid()}"), 404, 403, 403),
        ("list_invites", (t, a) => Get("/admin/invites"), 200, 403, 403),
        ("create_invite", (t, a) => Send(HttpMethod.Post, "/admin/invites", $$"""{"email":"x-{{Guid.NewGuid():N}}@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}"""), 200, 403, 403),
        ("fetch_invite", (t, a) => Get($"/admin/invites/{t.Invite}"), 200, 403, 403),
        ("delete_invite", (t, a) => Send(HttpMethod.Delete, $"/admin/invites/{t.Invite}"), 202, 403, 403),
        ("resend_invite", (t, a) => Send(HttpMethod.Post, $"/admin/invites/{t.Invite}/resend"), 200, 403, 403),
        ("list_service_accounts", (t, a) => Get("/admin/service-accounts"), 200, 403, 403),
        ("create_service_account", (t, a) => Send(HttpMethod.Post, "/admin/service-accounts", """{"name":"robot"}"""), 201, 403, 403),
        ("fetch_service_account", (t, a) => Get($"/admin/service-accounts/{t.Account}"), 200, 403, 403),
        ("update_service_account", (t, a) => Send(HttpMethod.Patch, $"/admin/service-accounts/{t.Account}", """{"name":"robot-2"}"""), 200, 403, 403),
        ("delete_service_account", (t, a) => Send(HttpMethod.Delete, $"/admin/service-accounts/{t.Account}"), 202, 403, 403),
        ("rotate_service_account_secret", (t, a) => Send(HttpMethod.Post, $"/admin/service-accounts/{t.Account}/rotate-secret"), 200, 403, 403),
        ("list_role_bindings", (t, a) => Get("/admin/role-bindings"), 200, 200, 200),
        ("create_role_binding", (t, a) => Send(HttpMethod.Post, "/admin/role-bindings", $$"""{"principal_type":"user","principal_id":"{{t.User}}","resource_type":"organization","role":"OrgBillingAdmin"}"""), 200, 403, 403),
        ("fetch_role_binding", (t, a) => Get($"/admin/role-bindings/{t.Binding}"), 200, 404, 404),
        ("delete_role_binding", (t, a) => Send(HttpMethod.Delete, $"/admin/role-bindings/{t.Binding}"), 202, 404, 404),
    ];

    public static TheoryData<string> OperationNames() => new(Operations.Select(o => o.Name));

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Send(HttpMethod method, string path, string? json = null) =>
        new(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(OperationNames))]
    public async Task EveryOrgRole_GetsWhatThePermissionTableSays(string operation)
    {
        var op = Operations.Single(o => o.Name == operation);
        foreach (var (role, expected) in new[] { (Role.OrgOwner, op.Owner), (Role.OrgMember, op.Member), (Role.OrgBillingAdmin, op.Billing) })
        {
            var targets = await FreshTargetsAsync();
            var client = await _api.ClientForRoleAsync(role);
            var response = await client.SendAsync(op.Request(targets, _api));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(expected == (int)response.StatusCode, $"{operation} as {role}: expected {expected}, got {(int)response.StatusCode} {text}");
            if (expected >= 400)
            {
                var error = JsonDocument.Parse(text).RootElement;
                Assert.Equal(expected, error.GetProperty("status").GetInt32());
                Assert.Equal(expected == 403 ? "PERMISSION_DENIED" : expected == 404 ? "NOT_FOUND" : error.GetProperty("error").GetProperty("code").GetString(),
                    error.GetProperty("error").GetProperty("code").GetString());
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task IdsOfAnotherOrganization_AreNotFound_ForEveryKindOfThing()
    {
        var other = await _api.OtherOrganizationAsync();
        var owner = await _api.ClientForRoleAsync(Role.OrgOwner);
        var requests = new[]
        {
            Get($"/admin/projects/{other.ProjectId}"), Send(HttpMethod.Patch, $"/admin/projects/{other.ProjectId}", """{"name":"x"}"""), Send(HttpMethod.Delete, $"/admin/projects/{other.ProjectId}"),
            Get($"/admin/projects/{other.ProjectId}/api-keys"), Send(HttpMethod.Post, $"/admin/projects/{other.ProjectId}/api-keys", """{"name":"x"}"""),
            Get($"/admin/organizations/{other.OrgId}"), Send(HttpMethod.Patch, $"/admin/organizations/{other.OrgId}", """{"name":"x"}"""), Send(HttpMethod.Delete, $"/admin/organizations/{other.OrgId}"),
            Get($"/admin/api-keys/{other.ApiKeyId}"), Send(HttpMethod.Patch, $"/admin/api-keys/{other.ApiKeyId}", """{"name":"x"}"""), Send(HttpMethod.Delete, $"/admin/api-keys/{other.ApiKeyId}"),
            Get($"/admin/users/{other.MemberId}"), Send(HttpMethod.Delete, $"/admin/users/{other.MemberId}"),
            Get($"/admin/invites/{other.InviteId}"), Send(HttpMethod.Delete, $"/admin/invites/{other.InviteId}"), Send(HttpMethod.Post, $"/admin/invites/{other.InviteId}/resend"),
            Get($"/admin/service-accounts/{other.ServiceAccountId}"), Send(HttpMethod.Patch, $"/admin/service-accounts/{other.ServiceAccountId}", """{"name":"x"}"""),
            Send(HttpMethod.Delete, $"/admin/service-accounts/{other.ServiceAccountId}"), Send(HttpMethod.Post, $"/admin/service-accounts/{other.ServiceAccountId}/rotate-secret"),
            Get($"/admin/role-bindings/{other.RoleBindingId}"), Send(HttpMethod.Delete, $"/admin/role-bindings/{other.RoleBindingId}"),
            Send(HttpMethod.Post, "/admin/role-bindings", $$"""{"principal_type":"user","principal_id":"{{other.MemberId}}","resource_type":"organization","role":"OrgOwner"}"""),
            Send(HttpMethod.Post, "/admin/role-bindings", $$"""{"principal_type":"service_account","principal_id":"{{other.ServiceAccountId}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectOwner"}"""),
            Send(HttpMethod.Post, "/admin/role-bindings", $$"""{"principal_type":"user","principal_id":"{{other.MemberId}}","resource_type":"organization","resource_id":"{{other.OrgId}}","role":"OrgOwner"}"""),
        };
        foreach (var request in requests)
        {
            var description = $"{request.Method} {request.RequestUri}";
            var response = await owner.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{description}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var orgs = JsonDocument.Parse(await owner.GetStringAsync("/admin/organizations")).RootElement.GetProperty("data");
        Assert.Equal(_api.OrgId.ToString(), Assert.Single(orgs.EnumerateArray()).GetProperty("id").GetString());
        var users = await owner.GetStringAsync("/admin/users");
        Assert.DoesNotContain("worker@globex.example", users);
        var bindings = await owner.GetStringAsync($"/admin/role-bindings?principal_type=user&principal_id={other.MemberId}");
        Assert.Equal(0, JsonDocument.Parse(bindings).RootElement.GetProperty("data").GetArrayLength());

        // And the other organization's token sees none of Acme's things.
        var theirs = _api.Client(await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner, other.OrgId, other.OwnerId, "globex-admin")));
        Assert.Equal(HttpStatusCode.NotFound, (await theirs.GetAsync($"/admin/projects/{_api.SearchProjectId}")).StatusCode);
    }

    private static List<(string Method, string Path, string? Body, string? ContentType)> MalformedRequests()
    {
        var data = new List<(string, string, string?, string?)>();
        var bodies = new[]
        {
            "{", "not json", "[]", "null", "123", "\"text\"", """{"name":5}""", """{"name":"x","unknown":1}""", """{"name":"x","name":"y"}""",
            """{"name":["a"]}""", """{"max_pods":"1"}""", """{"roles":"ProjectEditor"}""", """{"roles":[1]}""", """{"role_bindings":{}}""", """{"role_bindings":[null]}""",
            """{"role_bindings":[{"resource_type":"organization","role":"Nope"}]}""", """{"role_bindings":[{"resource_type":"galaxy","role":"OrgOwner"}]}""",
            """{"email":5}""", """{"email":"a@b.co","role_bindings":[]}""", $$"""{"name":"{{new string('x', 100_000)}}"}""", $$"""{"email":"{{new string('e', 300)}}@x.com","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}""",
            """{"principal_type":"robot","principal_id":"x","resource_type":"organization","role":"OrgOwner"}""", """{"principal_type":"user","principal_id":"not-a-uuid","resource_type":"organization","role":"OrgOwner"}""",
            """{"principal_type":"user","principal_id":"00000000-0000-0000-0000-000000000000","resource_type":"project","role":"ProjectOwner"}""",
            """{"principal_type":"user","principal_id":"00000000-0000-0000-0000-000000000000","resource_type":"project","resource_id":"zzz","role":"ProjectOwner"}""",
            """{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":{"r":1}}}}}}}}}}}}}}}}}}""",
        };
        var writes = new (string Method, string Path)[]
        {
            ("POST", "/admin/projects"), ("PATCH", "/admin/projects/{project}"), ("PATCH", "/admin/organizations/{org}"),
            ("POST", "/admin/projects/{project}/api-keys"), ("PATCH", "/admin/api-keys/{key}"), ("POST", "/admin/invites"),
            ("POST", "/admin/service-accounts"), ("PATCH", "/admin/service-accounts/{account}"), ("POST", "/admin/role-bindings"),
        };
        foreach (var (method, path) in writes)
        {
            foreach (var body in bodies) data.Add((method, path, body, "application/json"));
            data.Add((method, path, "name=x", "application/x-www-form-urlencoded"));
            data.Add((method, path, null, null));
        }
        var ids = new[] { "not-a-uuid", "12345", "%00", new string('a', 200), "00000000-0000-0000-0000-00000000000g", "'; DROP TABLE Projects; --" };
        var byId = new (string Method, string Path)[]
        {
            ("GET", "/admin/projects/{id}"), ("PATCH", "/admin/projects/{id}"), ("DELETE", "/admin/projects/{id}"), ("GET", "/admin/projects/{id}/api-keys"),
            ("POST", "/admin/projects/{id}/api-keys"), ("GET", "/admin/organizations/{id}"), ("PATCH", "/admin/organizations/{id}"), ("DELETE", "/admin/organizations/{id}"),
            ("GET", "/admin/api-keys/{id}"), ("PATCH", "/admin/api-keys/{id}"), ("DELETE", "/admin/api-keys/{id}"), ("GET", "/admin/users/{id}"), ("DELETE", "/admin/users/{id}"),
            ("GET", "/admin/invites/{id}"), ("DELETE", "/admin/invites/{id}"), ("POST", "/admin/invites/{id}/resend"), ("GET", "/admin/service-accounts/{id}"),
            ("PATCH", "/admin/service-accounts/{id}"), ("DELETE", "/admin/service-accounts/{id}"), ("POST", "/admin/service-accounts/{id}/rotate-secret"),
            ("GET", "/admin/role-bindings/{id}"), ("DELETE", "/admin/role-bindings/{id}"),
        };
        foreach (var (method, path) in byId)
        {
            foreach (var id in ids) data.Add((method, path.Replace("{id}", Uri.EscapeDataString(id)), """{"name":"x"}""", "application/json"));
        }
        foreach (var list in new[] { "/admin/users", "/admin/invites", "/admin/service-accounts", "/admin/role-bindings" })
        {
            foreach (var query in new[] { "limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1e3", "limit=99999999999999", "limit=1&limit=2", "paginationToken=%%%",
                         "paginationToken=" + new string('A', 5000), "paginationToken=dXNlcnM6", "paginationToken=aW52aXRlczotMQ", "paginationToken=c2VydmljZS1hY2NvdW50czp4" })
            {
                data.Add(("GET", $"{list}?{query}", null, null));
            }
        }
        foreach (var query in new[] { "principal_type=robot", "principal_id=x", "resource_type=galaxy", "resource_type=project&resource_id=nope", "role=OrgManager", "role=1" })
        {
            data.Add(("GET", $"/admin/role-bindings?{query}", null, null));
        }
        data.Add(("GET", "/admin/users?email=" + new string('e', 300), null, null));
        return data;
    }

    [Fact(Timeout = 600_000)]
    public async Task MalformedInput_ToEveryOperation_GetsA4xxInTheDocumentedShape_NeverA5xx()
    {
        var client = await _api.ClientForRoleAsync(Role.OrgOwner);
        var failures = new List<string>();
        var requests = MalformedRequests();
        foreach (var (method, path, body, contentType) in requests)
        {
            var resolved = path.Replace("{project}", _api.SearchProjectId.ToString()).Replace("{org}", _api.OrgId.ToString())
                .Replace("{key}", Guid.NewGuid().ToString()).Replace("{account}", Guid.NewGuid().ToString());
            var request = new HttpRequestMessage(new HttpMethod(method), resolved);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType!);
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var what = $"{method} {path[..Math.Min(90, path.Length)]} {body?[..Math.Min(60, body.Length)]}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}";
            if ((int)response.StatusCode is < 400 or >= 500) { failures.Add(what); continue; }
            try
            {
                var error = JsonDocument.Parse(text).RootElement;
                if (error.GetProperty("status").GetInt32() != (int)response.StatusCode
                    || string.IsNullOrEmpty(error.GetProperty("error").GetProperty("code").GetString())
                    || string.IsNullOrEmpty(error.GetProperty("error").GetProperty("message").GetString())) failures.Add(what);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                failures.Add(what);
            }
        }
        Assert.True(requests.Count > 400);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
