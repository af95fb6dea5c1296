using System.Net;
using System.Text.Json;
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

    [Fact(Timeout = 60_000)]
    public async Task TheReferencePage_ListsTheOperations_WithoutSigningIn()
    {
        var html = await _app.CreateClient().GetStringAsync("/api-reference");
        Assert.Contains("/admin/service-accounts/{service_account_id}/rotate-secret", html);
        Assert.Contains("create_role_binding", html);
        Assert.Contains("/oauth/token", html);
    }
}
