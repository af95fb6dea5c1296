using OrgConsole.Access;
using OrgConsole.Features.ApiKeys;

namespace OrgConsole.AdminApi;

/// <summary>/admin/projects/{id}/api-keys and /admin/api-keys/{id} — through <see cref="ApiKeyService"/>.</summary>
public static class ApiKeysApi
{
    private const string Tag = "API keys";

    public static void MapApiKeysApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/projects/{project_id}/api-keys", async (string project_id, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(project_id, "project_id", out var projectId, out var bad)) return bad!;
            var result = await keys.ListAsync(http.Caller().OrganizationId, projectId, ct);
            return ApiResults.From(result, list => new ListResponse<ApiKeyDto>(list.Select(k => Dto(k.Id, k.Name, projectId, k.Roles)).ToList()));
        }).Documented<ListResponse<ApiKeyDto>>("list_project_api_keys", "List API keys", Tag);

        admin.MapPost("/projects/{project_id}/api-keys", async (string project_id, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(project_id, "project_id", out var projectId, out var bad)) return bad!;
            var (body, error) = await ApiResults.ReadBodyAsync<CreateApiKeyRequest>(http.Request, ct);
            if (error is not null) return error;
            if (body!.Name is null) return ApiResults.BadRequest("name is required.");
            if (ParseRoles(body.Roles, out var roles) is { } badRoles) return badRoles;
            var created = await keys.CreateAsync(http.Caller().OrganizationId, projectId, body.Name, roles, ct);
            return ApiResults.From(created, k => new ApiKeyWithSecretDto(Dto(k.Id, k.Name, projectId, k.Roles), k.Value), StatusCodes.Status201Created);
        }).Accepts<CreateApiKeyRequest>("application/json").Documented<ApiKeyWithSecretDto>("create_api_key", "Create an API key", Tag, status: 201);

        admin.MapGet("/api-keys/{api_key_id}", async (string api_key_id, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(api_key_id, "api_key_id", out var keyId, out var bad)) return bad!;
            return ApiResults.From(await keys.GetAsync(http.Caller().OrganizationId, keyId, ct), Dto);
        }).Documented<ApiKeyDto>("fetch_api_key", "Get API key details", Tag);

        admin.MapPatch("/api-keys/{api_key_id}", async (string api_key_id, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(api_key_id, "api_key_id", out var keyId, out var bad)) return bad!;
            var (body, error) = await ApiResults.ReadBodyAsync<UpdateApiKeyRequest>(http.Request, ct);
            if (error is not null) return error;
            if (body!.Roles is { Count: 0 }) return ApiResults.BadRequest("roles must name at least one role; omit it to keep the current roles.");
            if (ParseRoles(body.Roles, out var roles) is { } badRoles) return badRoles;
            var org = http.Caller().OrganizationId;
            var current = await keys.GetAsync(org, keyId, ct);
            if (!current.IsSuccess) return ApiResults.From(current.Error);
            var updated = await keys.UpdateAsync(org, current.Value.ProjectId, keyId, body.Name ?? current.Value.Name, roles ?? current.Value.Roles.ToList(), ct);
            if (!updated.IsSuccess) return ApiResults.From(updated.Error);
            return ApiResults.From(await keys.GetAsync(org, keyId, ct), Dto);
        }).Accepts<UpdateApiKeyRequest>("application/json").Documented<ApiKeyDto>("update_api_key", "Update an API key", Tag);

        admin.MapDelete("/api-keys/{api_key_id}", async (string api_key_id, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(api_key_id, "api_key_id", out var keyId, out var bad)) return bad!;
            var org = http.Caller().OrganizationId;
            var current = await keys.GetAsync(org, keyId, ct);
            if (!current.IsSuccess) return ApiResults.From(current.Error);
            var deleted = await keys.DeleteAsync(org, current.Value.ProjectId, keyId, current.Value.Name, ct);
            return deleted.IsSuccess ? ApiResults.Accepted() : ApiResults.From(deleted.Error);
        }).DocumentedAccepted("delete_api_key", "Delete an API key", Tag);
    }

    private static IResult? ParseRoles(List<string>? names, out List<Role>? roles)
    {
        roles = null;
        if (names is null) return null;
        if (names.Count > 20) return ApiResults.BadRequest("roles may name at most 20 roles.");
        roles = [];
        foreach (var name in names)
        {
            if (WireNames.ParseRole(name, ApiKeyService.AllRoles, out var message) is not { } role) return ApiResults.BadRequest(message!);
            roles.Add(role);
        }
        return null;
    }

    private static ApiKeyDto Dto(ApiKeyDetails k) => Dto(k.Id, k.Name, k.ProjectId, k.Roles);

    private static ApiKeyDto Dto(Guid id, string name, Guid projectId, IReadOnlyList<Role> roles) => new(id, name, projectId, roles.Select(r => r.ToString()).ToList());
}
