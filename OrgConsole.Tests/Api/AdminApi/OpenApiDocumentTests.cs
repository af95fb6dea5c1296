using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api.AdminApi;

public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task TheDocument_DescribesEveryOperation_WithSnakeCaseSchemas()
    {
        var response = await _app.CreateClient().GetAsync("/openapi/admin.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var operationIds = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(m => m.Value.ValueKind == JsonValueKind.Object && m.Value.TryGetProperty("operationId", out _))
                .Select(m => m.Value.GetProperty("operationId").GetString())).ToHashSet();
        string[] expected =
        [
            "list_projects", "create_project", "fetch_project", "update_project", "delete_project", "list_organizations", "fetch_organization",
            "update_organization", "delete_organization", "list_project_api_keys", "create_api_key", "fetch_api_key", "update_api_key", "delete_api_key",
            "list_users", "fetch_user", "delete_user", "list_invites", "create_invite", "fetch_invite", "delete_invite", "resend_invite",
            "list_service_accounts", "create_service_account", "fetch_service_account", "update_service_account", "delete_service_account",
            "rotate_service_account_secret", "list_role_bindings", "create_role_binding", "fetch_role_binding", "delete_role_binding", "get_token",
        ];
        Assert.Empty(expected.Except(operationIds));
        var schemas = doc.GetProperty("components").GetProperty("schemas").GetRawText();
        Assert.Contains("\"force_encryption_with_cmek\"", schemas);
        Assert.Contains("\"client_secret\"", schemas);
    }

    /// <summary>
    /// The responses come from the handlers' typed results, not from hand-added metadata: each operation lists what its code can
    /// answer — e.g. removing the last owner (delete_user) and a duplicate name (update_project) are 409s, only creates list 422,
    /// only resend lists 429 — with the model's schema for success and ErrorResponse (OAuthError for the token) for every error.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData("/admin/projects", "get", "200", "ListResponseOfProjectDto", "400 401 403 404 409 500", "422 429")]
    [InlineData("/admin/projects", "post", "200", "ProjectDto", "400 401 403 404 409 500", "422 429")]
    [InlineData("/admin/projects/{project_id}", "get", "200", "ProjectDto", "400 401 403 404 409 500", "422 429")]
    [InlineData("/admin/projects/{project_id}", "patch", "200", "ProjectDto", "400 401 403 404 409 500", "422 429")]
    [InlineData("/admin/projects/{project_id}/api-keys", "post", "201", "ApiKeyWithSecretDto", "400 401 403 404 409 500", "200 422 429")]
    [InlineData("/admin/service-accounts", "post", "201", "ServiceAccountWithSecretDto", "400 401 403 404 409 422 500", "200 429")]
    [InlineData("/admin/users", "get", "200", "PagedResponseOfUserDto", "400 401 403 404 409 500", "422 429")]
    [InlineData("/admin/users/{user_id}", "delete", "202", null, "400 401 403 404 409 500", "200 422 429")]
    [InlineData("/admin/invites", "post", "200", "InviteDto", "400 401 403 404 409 422 500", "429")]
    [InlineData("/admin/invites/{invite_id}/resend", "post", "200", "InviteDto", "400 401 403 404 409 429 500", "422")]
    [InlineData("/admin/role-bindings", "post", "200", "RoleBindingDto", "400 401 403 404 409 422 500", "429")]
    [InlineData("/admin/role-bindings/{role_binding_id}", "delete", "202", null, "400 401 403 404 409 500", "200 422 429")]
    [InlineData("/admin/organizations/{organization_id}", "delete", "202", null, "400 401 403 404 409 500", "200 422 429")]
    [InlineData("/oauth/token", "post", "200", "TokenResponse", "400 401 403 429 503", "404 409 422")]
    public async Task AnOperation_ListsTheStatusesItsTypedResultsAnswer_WithTheirSchemas(string path, string method, string success, string? successSchema, string errors, string absent)
    {
        var doc = await DocumentAsync();
        var responses = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");
        var listed = responses.EnumerateObject().Select(r => r.Name).ToHashSet();
        Assert.Contains(success, listed);
        Assert.Equal(successSchema, SchemaOf(responses.GetProperty(success)));
        var errorSchema = path.StartsWith("/oauth", StringComparison.Ordinal) ? "OAuthError" : "ErrorResponse";
        foreach (var status in errors.Split(' '))
        {
            Assert.True(listed.Contains(status), $"{method} {path} does not list {status}; it lists {string.Join(", ", listed)}.");
            Assert.Equal(errorSchema, SchemaOf(responses.GetProperty(status)));
        }
        foreach (var status in absent.Split(' ')) Assert.False(listed.Contains(status), $"{method} {path} lists {status}, which its code never answers.");
        Assert.Empty(listed.Except(errors.Split(' ').Append(success)));
    }

    [Fact(Timeout = 60_000)]
    public async Task EveryMappedAdminRoute_IsInTheDocument()
    {
        var doc = await DocumentAsync();
        var paths = doc.GetProperty("paths");
        var routes = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/admin/", StringComparison.Ordinal) || raw == "/oauth/token"))
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Path: e.RoutePattern.RawText!, Method: m.ToLowerInvariant())))
            .ToList();
        Assert.True(routes.Count >= 33, $"Only {routes.Count} Admin API routes were found.");
        foreach (var (path, method) in routes)
        {
            var operation = paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out var found) ? found : (JsonElement?)null;
            Assert.True(operation is not null, $"{method} {path} is missing from the document.");
            Assert.True(operation.Value.TryGetProperty("operationId", out _), $"{method} {path} has no operationId.");
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await _app.CreateClient().GetAsync("/openapi/admin.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>The component a response's JSON body refers to, or null for a response without a body.</summary>
    private static string? SchemaOf(JsonElement response)
    {
        if (!response.TryGetProperty("content", out var content)) return null;
        var schema = content.GetProperty("application/json").GetProperty("schema");
        return schema.TryGetProperty("$ref", out var reference) ? reference.GetString()!.Split('/')[^1] : schema.GetRawText();
    }

    [Fact(Timeout = 60_000)]
    public async Task TheReferencePage_ListsTheOperations_WithoutSigningIn()
    {
        var html = await _app.CreateClient().GetStringAsync("/api-reference");
        Assert.Contains("/admin/service-accounts/{service_account_id}/rotate-secret", html);
        Assert.Contains("create_role_binding", html);
        Assert.Contains("/oauth/token", html);
    }
}
