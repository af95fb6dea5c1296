using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Access;
using OrgConsole.Features.ApiKeys;

namespace OrgConsole.AdminApi;

/// <summary>/admin/projects/{id}/api-keys and /admin/api-keys/{id} — through <see cref="ApiKeyService"/>.</summary>
public static class ApiKeysApi
{

    public static void MapApiKeysApi(this RouteGroupBuilder admin) => admin.Operations("API keys")
        .Get("/projects/{project_id}/api-keys", ListApiKeysAsync, "list_project_api_keys", "List API keys")
        .Post<CreateApiKeyRequest>("/projects/{project_id}/api-keys", CreateApiKeyAsync, "create_api_key", "Create an API key")
        .Get("/api-keys/{api_key_id}", GetApiKeyAsync, "fetch_api_key", "Get API key details")
        .Patch<UpdateApiKeyRequest>("/api-keys/{api_key_id}", UpdateApiKeyAsync, "update_api_key", "Update an API key")
        .Delete("/api-keys/{api_key_id}", DeleteApiKeyAsync, "delete_api_key", "Delete an API key");

    public static async Task<Results<Ok<ListResponse<ApiKeyDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListApiKeysAsync(
        string project_id, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(project_id, "project_id", out var projectId, out var bad)) return bad!;
        var list = await keys.ListAsync(http.Caller().OrganizationId, projectId, ct);
        if (!list.IsSuccess) return ApiResults.Fail<Ok<ListResponse<ApiKeyDto>>>(list.Error);
        return TypedResults.Ok(new ListResponse<ApiKeyDto>(list.Value.Select(k => Dto(k.Id, k.Name, projectId, k.Roles)).ToList()));
    }

    public static async Task<Results<Created<ApiKeyWithSecretDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> CreateApiKeyAsync(
        string project_id, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(project_id, "project_id", out var projectId, out var bad)) return bad!;
        var (body, error) = await ApiResults.ReadBodyAsync<CreateApiKeyRequest>(http.Request, ct);
        if (error is not null) return error;
        if (body!.Name is null) return ApiResults.BadRequest("name is required.");
        if (ParseRoles(body.Roles, out var roles) is { } badRoles) return badRoles;
        var created = await keys.CreateAsync(http.Caller().OrganizationId, projectId, body.Name, roles, ct);
        if (!created.IsSuccess) return ApiResults.Fail<Created<ApiKeyWithSecretDto>>(created.Error);
        var k = created.Value;
        return TypedResults.Created((string?)null, new ApiKeyWithSecretDto(Dto(k.Id, k.Name, projectId, k.Roles), k.Value));
    }

    public static async Task<Results<Ok<ApiKeyDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetApiKeyAsync(
        string api_key_id, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(api_key_id, "api_key_id", out var keyId, out var bad)) return bad!;
        return await FetchAsync(keys, http.Caller().OrganizationId, keyId, ct);
    }

    public static async Task<Results<Ok<ApiKeyDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> UpdateApiKeyAsync(
        string api_key_id, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(api_key_id, "api_key_id", out var keyId, out var bad)) return bad!;
        var (body, error) = await ApiResults.ReadBodyAsync<UpdateApiKeyRequest>(http.Request, ct);
        if (error is not null) return error;
        if (body!.Roles is { Count: 0 }) return ApiResults.BadRequest("roles must name at least one role; omit it to keep the current roles.");
        if (ParseRoles(body.Roles, out var roles) is { } badRoles) return badRoles;
        var org = http.Caller().OrganizationId;
        var current = await keys.GetAsync(org, keyId, ct);
        if (!current.IsSuccess) return ApiResults.Fail<Ok<ApiKeyDto>>(current.Error);
        var updated = await keys.UpdateAsync(org, current.Value.ProjectId, keyId, body.Name ?? current.Value.Name, roles ?? current.Value.Roles.ToList(), ct);
        if (!updated.IsSuccess) return ApiResults.Fail<Ok<ApiKeyDto>>(updated.Error);
        return await FetchAsync(keys, org, keyId, ct);
    }

    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteApiKeyAsync(
        string api_key_id, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(api_key_id, "api_key_id", out var keyId, out var bad)) return bad!;
        var org = http.Caller().OrganizationId;
        var current = await keys.GetAsync(org, keyId, ct);
        if (!current.IsSuccess) return ApiResults.Fail<Accepted>(current.Error);
        var deleted = await keys.DeleteAsync(org, current.Value.ProjectId, keyId, current.Value.Name, ct);
        return deleted.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(deleted.Error);
    }

    private static async Task<Results<Ok<ApiKeyDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> FetchAsync(
        ApiKeyService keys, Guid org, Guid keyId, CancellationToken ct)
    {
        var key = await keys.GetAsync(org, keyId, ct);
        return key.IsSuccess ? TypedResults.Ok(Dto(key.Value)) : ApiResults.Fail<Ok<ApiKeyDto>>(key.Error);
    }

    private static BadRequest<ErrorResponse>? ParseRoles(List<string>? names, out List<Role>? roles)
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
