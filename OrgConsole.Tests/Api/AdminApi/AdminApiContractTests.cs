using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>
/// Each operation of the 2026-04 summary, in every supported version (2026-07 has the same models): status code, fields
/// and their JSON types, documented error codes, pagination, and the version that answered in the response header.
/// </summary>
public class AdminApiContractTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;
    private HttpClient _owner = null!;
    private string _version = AdminApiHarness.Version;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    private async Task UseVersionAsync(string version)
    {
        _version = version;
        _owner = await _api.ClientForRoleAsync(Role.OrgOwner, version);
    }

    private void AssertAnsweredBy(HttpResponseMessage response) =>
        Assert.Equal(_version, Assert.Single(response.Headers.GetValues("X-Pinecone-Api-Version")));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<JsonElement> BodyAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        AssertAnsweredBy(response);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    private async Task AssertErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{(int)response.StatusCode} {text}");
        AssertAnsweredBy(response);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.Equal(code, body.GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetProperty("message").GetString()));
    }

    private static void AssertKinds(JsonElement e, params (string Field, JsonValueKind Kind)[] fields)
    {
        foreach (var (field, kind) in fields) Assert.True(e.TryGetProperty(field, out var v) && v.ValueKind == kind, $"{field} should be {kind} in {e}");
    }

    private static void AssertUuid(JsonElement e, string field) => Assert.True(Guid.TryParse(e.GetProperty(field).GetString(), out _), $"{field} is not a UUID");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task Projects_ListCreateFetchUpdateDelete(string version)
    {
        await UseVersionAsync(version);
        var list = await BodyAsync(await _owner.GetAsync("/admin/projects"), HttpStatusCode.OK);
        Assert.Equal(2, list.GetProperty("data").GetArrayLength());
        var created = await BodyAsync(await _owner.PostAsync("/admin/projects", Json("""{"name":"Recs","max_pods":0,"force_encryption_with_cmek":false}""")), HttpStatusCode.OK);
        AssertKinds(created, ("id", JsonValueKind.String), ("name", JsonValueKind.String), ("max_pods", JsonValueKind.Number),
            ("force_encryption_with_cmek", JsonValueKind.False), ("organization_id", JsonValueKind.String), ("created_at", JsonValueKind.String));
        AssertUuid(created, "id");
        Assert.Equal(_api.OrgId.ToString(), created.GetProperty("organization_id").GetString());
        var id = created.GetProperty("id").GetString();

        Assert.Equal("Recs", (await BodyAsync(await _owner.GetAsync($"/admin/projects/{id}"), HttpStatusCode.OK)).GetProperty("name").GetString());
        Assert.Equal("Recs 2", (await BodyAsync(await _owner.PatchAsync($"/admin/projects/{id}", Json("""{"name":"Recs 2"}""")), HttpStatusCode.OK)).GetProperty("name").GetString());
        await AssertErrorAsync(await _owner.PostAsync("/admin/projects", Json("""{"name":"x","force_encryption_with_cmek":true}""")), 400, "INVALID_ARGUMENT");
        await AssertErrorAsync(await _owner.PostAsync("/admin/projects", Json("{}")), 400, "INVALID_ARGUMENT");

        var deleted = await _owner.DeleteAsync($"/admin/projects/{id}");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Equal("", await deleted.Content.ReadAsStringAsync());
        await AssertErrorAsync(await _owner.GetAsync($"/admin/projects/{id}"), 404, "NOT_FOUND");
    }

    [Theory(Timeout = 90_000)]
    [InlineData("Re\\u0000cs")]
    [InlineData("Line\\nbreak")]
    [InlineData("Bell\\u0007")]
    [InlineData("Esc\\u001b[31m")]
    public async Task ControlCharacters_InNamesAndEmails_AreRefusedWithAClearMessage(string escaped)
    {
        await UseVersionAsync(AdminApiHarness.Version);
        var created = await _owner.PostAsync("/admin/projects", Json($$"""{"name":"{{escaped}}"}"""));
        var account = await _owner.PostAsync("/admin/service-accounts", Json($$"""{"name":"{{escaped}}","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}"""));
        var invite = await _owner.PostAsync("/admin/invites", Json($$"""{"email":"a{{escaped}}@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}"""));

        foreach (var response in new[] { created, account, invite })
        {
            var text = await response.Content.ReadAsStringAsync();
            // Creates answer a refused value as the contract says: 400 INVALID_ARGUMENT or 422 UNPROCESSABLE_ENTITY.
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode} {text}");
            Assert.Contains("control characters", text);
            Assert.Contains(JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString(), new[] { "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY" });
        }
        await using var db = await _api.DbAsync();
        Assert.DoesNotContain(await db.Projects.Select(p => p.Name).ToListAsync(), n => n.Any(char.IsControl));
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task Projects_OverThePlanLimit_IsA403QuotaError(string version)
    {
        await UseVersionAsync(version);
        for (var i = 0; i < 98; i++) Assert.Equal(HttpStatusCode.OK, (await _owner.PostAsync("/admin/projects", Json($$"""{"name":"p{{i}}"}"""))).StatusCode);
        await AssertErrorAsync(await _owner.PostAsync("/admin/projects", Json("""{"name":"one too many"}""")), 403, "QUOTA_EXCEEDED");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task Organizations_ListFetchUpdate_AndDeleteRefusedWhileProjectsExist(string version)
    {
        await UseVersionAsync(version);
        var list = await BodyAsync(await _owner.GetAsync("/admin/organizations"), HttpStatusCode.OK);
        var org = Assert.Single(list.GetProperty("data").EnumerateArray());
        AssertKinds(org, ("id", JsonValueKind.String), ("name", JsonValueKind.String), ("plan", JsonValueKind.String), ("payment_status", JsonValueKind.String),
            ("created_at", JsonValueKind.String), ("support_tier", JsonValueKind.String));
        Assert.Equal("Enterprise", org.GetProperty("plan").GetString());
        var id = org.GetProperty("id").GetString();

        Assert.Equal("Acme Corp", (await BodyAsync(await _owner.GetAsync($"/admin/organizations/{id}"), HttpStatusCode.OK)).GetProperty("name").GetString());
        Assert.Equal("Acme Inc", (await BodyAsync(await _owner.PatchAsync($"/admin/organizations/{id}", Json("""{"name":"Acme Inc"}""")), HttpStatusCode.OK)).GetProperty("name").GetString());
        await AssertErrorAsync(await _owner.PatchAsync($"/admin/organizations/{id}", Json($$"""{"name":"{{new string('x', 513)}}"}""")), 400, "INVALID_ARGUMENT");
        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/organizations/{id}"), 409, "FAILED_PRECONDITION");
        await AssertErrorAsync(await _owner.GetAsync("/admin/organizations/-ExampleOrgId0000000"), 404, "NOT_FOUND");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task ApiKeys_ListCreateFetchUpdateDelete(string version)
    {
        await UseVersionAsync(version);
        var created = await _owner.PostAsync($"/admin/projects/{_api.SearchProjectId}/api-keys", Json("""{"name":"ci","roles":["ProjectViewer","DataPlaneEditor"]}"""));
        var body = await BodyAsync(created, HttpStatusCode.Created);
        AssertKinds(body, ("key", JsonValueKind.Object), ("value", JsonValueKind.String));
        Assert.StartsWith("pckey_", body.GetProperty("value").GetString());
        var key = body.GetProperty("key");
        AssertKinds(key, ("id", JsonValueKind.String), ("name", JsonValueKind.String), ("project_id", JsonValueKind.String), ("roles", JsonValueKind.Array));
        var id = key.GetProperty("id").GetString();

        var list = await BodyAsync(await _owner.GetAsync($"/admin/projects/{_api.SearchProjectId}/api-keys"), HttpStatusCode.OK);
        Assert.Contains(list.GetProperty("data").EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        Assert.DoesNotContain("value", list.GetRawText());
        var fetched = await BodyAsync(await _owner.GetAsync($"/admin/api-keys/{id}"), HttpStatusCode.OK);
        Assert.Equal("DataPlaneEditor,ProjectViewer", string.Join(",", fetched.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order()));
        var updated = await BodyAsync(await _owner.PatchAsync($"/admin/api-keys/{id}", Json("""{"name":"ci-2"}""")), HttpStatusCode.OK);
        Assert.Equal(("ci-2", 2), (updated.GetProperty("name").GetString(), updated.GetProperty("roles").GetArrayLength()));
        var roles = await BodyAsync(await _owner.PatchAsync($"/admin/api-keys/{id}", Json("""{"roles":["ProjectEditor"]}""")), HttpStatusCode.OK);
        Assert.Equal("ProjectEditor", roles.GetProperty("roles").EnumerateArray().Single().GetString());
        await AssertErrorAsync(await _owner.PatchAsync($"/admin/api-keys/{id}", Json("""{"roles":["ProjectOwner"]}""")), 400, "INVALID_ARGUMENT");

        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/api-keys/{id}")).StatusCode);
        await AssertErrorAsync(await _owner.GetAsync($"/admin/api-keys/{id}"), 404, "NOT_FOUND");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task Users_PageAcrossPages_FilterByEmail_FetchAndDelete_WithTheLastOwnerGuard(string version)
    {
        await UseVersionAsync(version);
        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await BodyAsync(await _owner.GetAsync("/admin/users?limit=2" + (next is null ? "" : $"&paginationToken={Uri.EscapeDataString(next)}")), HttpStatusCode.OK);
            var data = page.GetProperty("data");
            Assert.InRange(data.GetArrayLength(), 1, 2);
            foreach (var user in data.EnumerateArray())
            {
                AssertKinds(user, ("id", JsonValueKind.String), ("email", JsonValueKind.String));
                seen.Add(user.GetProperty("email").GetString()!);
            }
            next = page.TryGetProperty("pagination", out var p) && p.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        } while (next is not null);
        Assert.Equal(6, seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);

        var byEmail = await BodyAsync(await _owner.GetAsync("/admin/users?email=DANA@acme.example"), HttpStatusCode.OK);
        var dana = Assert.Single(byEmail.GetProperty("data").EnumerateArray());
        Assert.Equal("Dana Developer", dana.GetProperty("name").GetString());
        var danaId = dana.GetProperty("id").GetString();
        Assert.Equal("dana@acme.example", (await BodyAsync(await _owner.GetAsync($"/admin/users/{danaId}"), HttpStatusCode.OK)).GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/users/{danaId}")).StatusCode);
        await AssertErrorAsync(await _owner.GetAsync($"/admin/users/{danaId}"), 404, "NOT_FOUND");

        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/users/{_api.OwnerId}"), 409, "ABORTED");
        await AssertErrorAsync(await _owner.GetAsync("/admin/users?limit=0"), 400, "OUT_OF_RANGE");
        await AssertErrorAsync(await _owner.GetAsync("/admin/users?limit=101"), 400, "OUT_OF_RANGE");
        await AssertErrorAsync(await _owner.GetAsync("/admin/users?paginationToken=garbage!"), 400, "INVALID_ARGUMENT");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task Invites_CreateListPageFetchResendDelete(string version)
    {
        await UseVersionAsync(version);
        var created = await BodyAsync(await _owner.PostAsync("/admin/invites", Json(
            $$"""{"email":"new1@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"},{"resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectMember"}]}""")),
            HttpStatusCode.OK);
        AssertKinds(created, ("id", JsonValueKind.String), ("email", JsonValueKind.String), ("status", JsonValueKind.String), ("expires_at", JsonValueKind.String), ("created_at", JsonValueKind.String));
        Assert.Equal("pending", created.GetProperty("status").GetString());
        var id = created.GetProperty("id").GetString();
        for (var i = 2; i <= 3; i++)
        {
            await BodyAsync(await _owner.PostAsync("/admin/invites", Json($$"""{"email":"new{{i}}@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgBillingAdmin"}]}""")), HttpStatusCode.OK);
        }

        await AssertErrorAsync(await _owner.PostAsync("/admin/invites", Json("""{"email":"new1@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}""")), 409, "ALREADY_EXISTS");
        await AssertErrorAsync(await _owner.PostAsync("/admin/invites", Json("""{"email":"user@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}""")), 409, "ALREADY_EXISTS");
        var manager = await _owner.PostAsync("/admin/invites", Json("""{"email":"m@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgManager"}]}"""));
        await AssertErrorAsync(manager, 400, "INVALID_ARGUMENT");
        Assert.Contains("OrgOwner, OrgMember, OrgBillingAdmin", await manager.Content.ReadAsStringAsync());

        var page1 = await BodyAsync(await _owner.GetAsync("/admin/invites?limit=2"), HttpStatusCode.OK);
        Assert.Equal(2, page1.GetProperty("data").GetArrayLength());
        var next = page1.GetProperty("pagination").GetProperty("next").GetString();
        var page2 = await BodyAsync(await _owner.GetAsync($"/admin/invites?limit=2&paginationToken={Uri.EscapeDataString(next!)}"), HttpStatusCode.OK);
        Assert.Single(page2.GetProperty("data").EnumerateArray());
        Assert.False(page2.TryGetProperty("pagination", out _));
        await AssertErrorAsync(await _owner.GetAsync($"/admin/users?paginationToken={Uri.EscapeDataString(next!)}"), 400, "INVALID_ARGUMENT");

        Assert.Equal("new1@acme.example", (await BodyAsync(await _owner.GetAsync($"/admin/invites/{id}"), HttpStatusCode.OK)).GetProperty("email").GetString());
        _api.Time.Advance(TimeSpan.FromDays(8));
        _owner = await _api.ClientForRoleAsync(Role.OrgOwner, version); // the first token expired with the clock
        Assert.Equal("expired", (await BodyAsync(await _owner.GetAsync($"/admin/invites/{id}"), HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("pending", (await BodyAsync(await _owner.PostAsync($"/admin/invites/{id}/resend", null), HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/invites/{id}")).StatusCode);
        await AssertErrorAsync(await _owner.GetAsync($"/admin/invites/{id}"), 404, "NOT_FOUND");
        await AssertErrorAsync(await _owner.PostAsync($"/admin/invites/{id}/resend", null), 404, "NOT_FOUND");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task ServiceAccounts_CreateListPageFetchUpdateRotateDelete(string version)
    {
        await UseVersionAsync(version);
        var created = await BodyAsync(await _owner.PostAsync("/admin/service-accounts", Json(
            $$"""{"name":"terraform","role_bindings":[{"resource_type":"organization","role":"OrgMember"},{"resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectOwner"}]}""")),
            HttpStatusCode.Created);
        AssertKinds(created, ("service_account", JsonValueKind.Object), ("client_secret", JsonValueKind.String));
        var account = created.GetProperty("service_account");
        AssertKinds(account, ("id", JsonValueKind.String), ("name", JsonValueKind.String), ("client_id", JsonValueKind.String), ("created_at", JsonValueKind.String), ("updated_at", JsonValueKind.String));
        var id = account.GetProperty("id").GetString();

        // The new account works with its project role at once.
        var secret = created.GetProperty("client_secret").GetString()!;
        var token = await _api.RequestTokenAsync(account.GetProperty("client_id").GetString()!, secret, version);
        var robot = _api.Client((await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString(), version);
        Assert.Equal(HttpStatusCode.OK, (await robot.GetAsync($"/admin/projects/{_api.SearchProjectId}")).StatusCode);

        var all = new List<string>();
        string? next = null;
        do
        {
            var page = await BodyAsync(await _owner.GetAsync("/admin/service-accounts?limit=1" + (next is null ? "" : $"&paginationToken={next}")), HttpStatusCode.OK);
            all.AddRange(page.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetString()!));
            next = page.TryGetProperty("pagination", out var p) ? p.GetProperty("next").GetString() : null;
        } while (next is not null);
        Assert.Equal(2, all.Distinct().Count()); // the caller and terraform

        Assert.Equal("terraform", (await BodyAsync(await _owner.GetAsync($"/admin/service-accounts/{id}"), HttpStatusCode.OK)).GetProperty("name").GetString());
        Assert.Equal("tf", (await BodyAsync(await _owner.PatchAsync($"/admin/service-accounts/{id}", Json("""{"name":"tf"}""")), HttpStatusCode.OK)).GetProperty("name").GetString());
        await AssertErrorAsync(await _owner.PatchAsync($"/admin/service-accounts/{id}", Json($$"""{"name":"{{new string('n', 81)}}"}""")), 400, "INVALID_ARGUMENT");
        var rotated = await BodyAsync(await _owner.PostAsync($"/admin/service-accounts/{id}/rotate-secret", null), HttpStatusCode.OK);
        Assert.NotEqual(secret, rotated.GetProperty("client_secret").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/service-accounts/{id}")).StatusCode);
        await AssertErrorAsync(await _owner.GetAsync($"/admin/service-accounts/{id}"), 404, "NOT_FOUND");
        await AssertErrorAsync(await _owner.PostAsync("/admin/service-accounts", Json("""{"name":"x","role_bindings":[{"resource_type":"project","resource_id":"00000000-0000-0000-0000-000000000001","role":"ProjectManager"}]}""")), 400, "INVALID_ARGUMENT");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task RoleBindings_ListFilterCreateFetchDelete_WithTheDocumentedConflicts(string version)
    {
        await UseVersionAsync(version);
        var eli = await _api.UserIdAsync("eli@acme.example");
        var created = await BodyAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectMember"}""")), HttpStatusCode.OK);
        AssertKinds(created, ("id", JsonValueKind.String), ("principal_type", JsonValueKind.String), ("principal_id", JsonValueKind.String),
            ("resource_type", JsonValueKind.String), ("resource_id", JsonValueKind.String), ("role", JsonValueKind.String), ("created_at", JsonValueKind.String));
        Assert.Equal(("user", "project", "ProjectMember"), (created.GetProperty("principal_type").GetString(), created.GetProperty("resource_type").GetString(), created.GetProperty("role").GetString()));
        var id = created.GetProperty("id").GetString();

        await AssertErrorAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectMember"}""")), 409, "ALREADY_EXISTS");
        await AssertErrorAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectManager"}""")), 400, "INVALID_ARGUMENT");

        var filtered = await BodyAsync(await _owner.GetAsync($"/admin/role-bindings?principal_type=user&principal_id={eli}"), HttpStatusCode.OK);
        Assert.Equal(2, filtered.GetProperty("data").GetArrayLength()); // org membership and the new project role
        var orgBinding = filtered.GetProperty("data").EnumerateArray().Single(b => b.GetProperty("resource_type").GetString() == "organization");
        Assert.Equal(_api.OrgId.ToString(), orgBinding.GetProperty("resource_id").GetString());
        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/role-bindings/{orgBinding.GetProperty("id").GetString()}"), 409, "ABORTED");

        // Bindings add up (SPEC §1.3a): another organization role is a second binding; the first keeps its id.
        var promoted = await BodyAsync(await _owner.PostAsync("/admin/role-bindings", Json($$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"organization","role":"OrgBillingAdmin"}""")), HttpStatusCode.OK);
        Assert.Equal("OrgBillingAdmin", promoted.GetProperty("role").GetString());
        Assert.NotEqual(orgBinding.GetProperty("id").GetString(), promoted.GetProperty("id").GetString());
        await AssertErrorAsync(await _owner.PostAsync("/admin/role-bindings", Json($$"""{"principal_type":"user","principal_id":"{{eli}}","resource_type":"organization","role":"OrgBillingAdmin"}""")), 409, "ALREADY_EXISTS");
        var both = await BodyAsync(await _owner.GetAsync($"/admin/role-bindings?principal_type=user&principal_id={eli}&resource_type=organization"), HttpStatusCode.OK);
        Assert.Equal(["OrgBillingAdmin", "OrgMember"], both.GetProperty("data").EnumerateArray().Select(b => b.GetProperty("role").GetString()).Order());
        // Create-then-delete-the-old one (what automation does) leaves the new role, and the user in the organization.
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/role-bindings/{orgBinding.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(eli, (await BodyAsync(await _owner.GetAsync($"/admin/users/{eli}"), HttpStatusCode.OK)).GetProperty("id").GetString());
        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/role-bindings/{promoted.GetProperty("id").GetString()}"), 409, "ABORTED"); // last org role, project role left

        var all = new HashSet<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await BodyAsync(await _owner.GetAsync("/admin/role-bindings?limit=3" + (next is null ? "" : $"&paginationToken={next}")), HttpStatusCode.OK);
            foreach (var b in page.GetProperty("data").EnumerateArray()) Assert.True(all.Add(b.GetProperty("id").GetString()!));
            next = page.TryGetProperty("pagination", out var p) ? p.GetProperty("next").GetString() : null;
            pages++;
        } while (next is not null);
        await using (var db = await _api.DbAsync())
        {
            Assert.Equal(await db.RoleAssignments.CountAsync(r => r.OrganizationId == _api.OrgId)
                + await db.InvitationRoles.CountAsync(r => r.OrganizationId == _api.OrgId && db.Invitations.Any(i => i.Id == r.InvitationId && i.Status == OrgConsole.Features.Invitations.InvitationStatus.Pending)), all.Count);
        }
        Assert.True(pages > 2);

        Assert.Equal(id, (await BodyAsync(await _owner.GetAsync($"/admin/role-bindings/{id}"), HttpStatusCode.OK)).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/role-bindings/{id}")).StatusCode);
        await AssertErrorAsync(await _owner.GetAsync($"/admin/role-bindings/{id}"), 404, "NOT_FOUND");
        await AssertErrorAsync(await _owner.GetAsync("/admin/role-bindings?principal_id=x"), 400, "INVALID_ARGUMENT");
        await AssertErrorAsync(await _owner.GetAsync("/admin/role-bindings?resource_id=x"), 400, "INVALID_ARGUMENT");

        var ownerBinding = (await BodyAsync(await _owner.GetAsync($"/admin/role-bindings?principal_type=user&principal_id={_api.OwnerId}&resource_type=organization"), HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Single().GetProperty("id").GetString();
        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/role-bindings/{ownerBinding}"), 409, "ABORTED");
    }

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task RoleBindings_OfAnInvite_AreListedCreatedAndDeleted_AndItsLastOrgBindingIsKept(string version)
    {
        await UseVersionAsync(version);
        var invite = (await BodyAsync(await _owner.PostAsync("/admin/invites", Json(
            """{"email":"invited@acme.example","role_bindings":[{"resource_type":"organization","role":"OrgMember"}]}""")), HttpStatusCode.OK)).GetProperty("id").GetString();

        var listed = await BodyAsync(await _owner.GetAsync($"/admin/role-bindings?principal_type=invite&principal_id={invite}"), HttpStatusCode.OK);
        var orgBinding = Assert.Single(listed.GetProperty("data").EnumerateArray());
        Assert.Equal(("invite", invite, "organization", "OrgMember"), (orgBinding.GetProperty("principal_type").GetString(), orgBinding.GetProperty("principal_id").GetString(),
            orgBinding.GetProperty("resource_type").GetString(), orgBinding.GetProperty("role").GetString()));
        // Pinecone: a pending invite's last organization binding cannot be deleted.
        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/role-bindings/{orgBinding.GetProperty("id").GetString()}"), 409, "ABORTED");

        var project = await BodyAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"invite","principal_id":"{{invite}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectOwner"}""")), HttpStatusCode.OK);
        Assert.Equal(("invite", invite, "project", _api.SearchProjectId.ToString()), (project.GetProperty("principal_type").GetString(), project.GetProperty("principal_id").GetString(),
            project.GetProperty("resource_type").GetString(), project.GetProperty("resource_id").GetString()));
        var billing = await BodyAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"invite","principal_id":"{{invite}}","resource_type":"organization","role":"OrgBillingAdmin"}""")), HttpStatusCode.OK);
        await AssertErrorAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"invite","principal_id":"{{invite}}","resource_type":"organization","role":"OrgBillingAdmin"}""")), 409, "ALREADY_EXISTS");
        await AssertErrorAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"invite","principal_id":"{{Guid.NewGuid()}}","resource_type":"organization","role":"OrgBillingAdmin"}""")), 404, "NOT_FOUND");
        await AssertErrorAsync(await _owner.PostAsync("/admin/role-bindings", Json(
            $$"""{"principal_type":"invite","principal_id":"{{invite}}","resource_type":"project","resource_id":"{{_api.SearchProjectId}}","role":"ProjectEditor"}""")), 422, "UNPROCESSABLE_ENTITY");

        var three = await BodyAsync(await _owner.GetAsync("/admin/role-bindings?principal_type=invite"), HttpStatusCode.OK);
        Assert.Equal(3, three.GetProperty("data").EnumerateArray().Count(b => b.GetProperty("principal_id").GetString() == invite));
        Assert.Equal("OrgBillingAdmin", (await BodyAsync(await _owner.GetAsync($"/admin/role-bindings/{billing.GetProperty("id").GetString()}"), HttpStatusCode.OK)).GetProperty("role").GetString());
        var unfiltered = await BodyAsync(await _owner.GetAsync("/admin/role-bindings?limit=100"), HttpStatusCode.OK);
        Assert.Equal(3, unfiltered.GetProperty("data").EnumerateArray().Count(b => b.GetProperty("principal_type").GetString() == "invite" && b.GetProperty("principal_id").GetString() == invite));

        // With another organization role it may go; the member count never saw the invite.
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/role-bindings/{orgBinding.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/role-bindings/{project.GetProperty("id").GetString()}")).StatusCode);
        await AssertErrorAsync(await _owner.DeleteAsync($"/admin/role-bindings/{billing.GetProperty("id").GetString()}"), 409, "ABORTED");
        var left = await BodyAsync(await _owner.GetAsync($"/admin/role-bindings?principal_type=invite&principal_id={invite}"), HttpStatusCode.OK);
        Assert.Equal("OrgBillingAdmin", Assert.Single(left.GetProperty("data").EnumerateArray()).GetProperty("role").GetString());
        await using (var db = await _api.DbAsync())
        {
            var org = await db.Organizations.SingleAsync(o => o.Id == _api.OrgId);
            Assert.Equal(await db.RoleAssignments.Where(r => r.OrganizationId == _api.OrgId && r.ProjectId == null && r.PrincipalType == PrincipalType.User)
                .Select(r => r.PrincipalId).Distinct().CountAsync(), org.MemberCount);
        }

        // A revoked invite is no principal any more: its bindings leave the list.
        Assert.Equal(HttpStatusCode.Accepted, (await _owner.DeleteAsync($"/admin/invites/{invite}")).StatusCode);
        Assert.Empty((await BodyAsync(await _owner.GetAsync($"/admin/role-bindings?principal_type=invite&principal_id={invite}"), HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
        await AssertErrorAsync(await _owner.GetAsync($"/admin/role-bindings/{billing.GetProperty("id").GetString()}"), 404, "NOT_FOUND");
    }

    [Fact(Timeout = 60_000)]
    public async Task WithoutTheVersionHeader_TheOldestVersionAnswers_AndUnknownVersionsAreRefusedNamingTheSupportedOnes()
    {
        await UseVersionAsync("2026-07");
        var token = await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner));
        var client = _api.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        _version = "2026-04"; // Pinecone: a request without the header is served by the oldest supported version
        await BodyAsync(await client.GetAsync("/admin/projects"), HttpStatusCode.OK);
        client.DefaultRequestHeaders.Add("X-Pinecone-Api-Version", "2024-07");
        var unknown = await client.GetAsync("/admin/projects");
        await AssertErrorAsync(unknown, 400, "INVALID_ARGUMENT");
        Assert.Contains("2026-04, 2026-07", await unknown.Content.ReadAsStringAsync());

        _version = "2026-07";
        await AssertErrorAsync(await _api.Client(null, "2026-07").GetAsync("/admin/projects"), 401, "UNAUTHENTICATED");
        await AssertErrorAsync(await _owner.GetAsync("/admin/no-such-thing"), 404, "NOT_FOUND");
        await AssertErrorAsync(await _owner.PostAsync("/admin/projects", new StringContent("name=x", Encoding.UTF8, "text/plain")), 400, "INVALID_ARGUMENT");
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(AdminApiHarness.Versions), MemberType = typeof(AdminApiHarness))]
    public async Task ChangesThroughTheApi_AreAuditedAsTheServiceAccount(string version)
    {
        await UseVersionAsync(version);
        await BodyAsync(await _owner.PostAsync("/admin/projects", Json("""{"name":"Audited"}""")), HttpStatusCode.OK);
        await using var db = await _api.DbAsync();
        var evt = await db.AuditEvents.SingleAsync(e => e.Action == "project.created" && e.OrganizationId == _api.OrgId);
        Assert.Equal(OrgConsole.Access.ActorType.ServiceAccount, evt.ActorType);
        Assert.True(await db.ServiceAccounts.AnyAsync(a => a.Id.ToString() == evt.ActorId || a.Id == Guid.Parse(evt.ActorId!)));
    }
}
