using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Access;
using OrgConsole.Features.RoleBindings;

namespace OrgConsole.AdminApi;

/// <summary>/admin/role-bindings — through <see cref="RoleBindingService"/>, which hands every change to the owning feature service.</summary>
public static class RoleBindingsApi
{
    private const string List = "role-bindings";

    public static void MapRoleBindingsApi(this RouteGroupBuilder admin) => admin.Operations("Role bindings")
        .Get("/role-bindings", ListRoleBindingsAsync, "list_role_bindings", "List role bindings")
        .Post<CreateRoleBindingRequest>("/role-bindings", CreateRoleBindingAsync, "create_role_binding", "Create a role binding")
        .Get("/role-bindings/{role_binding_id}", GetRoleBindingAsync, "fetch_role_binding", "Get role binding details")
        .Delete("/role-bindings/{role_binding_id}", DeleteRoleBindingAsync, "delete_role_binding", "Delete a role binding");

    public static async Task<Results<Ok<PagedResponse<RoleBindingDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListRoleBindingsAsync(
        HttpContext http, RoleBindingService bindings, CancellationToken ct)
    {
        if (Cursor.ReadOffsetPage(http.Request, List, out var skip, out var take) is { } bad) return bad;
        var query = http.Request.Query;
        var org = http.Caller().OrganizationId;
        string? Param(string name) => query[name].Count == 0 ? null : query[name].ToString();
        var (principalTypeName, principalId, resourceType, resourceId, roleName) =
            (Param("principal_type"), Param("principal_id"), Param("resource_type"), Param("resource_id"), Param("role"));
        if (principalId is not null && principalTypeName is null) return ApiResults.BadRequest("principal_id requires principal_type.");
        if (resourceId is not null && resourceType is null) return ApiResults.BadRequest("resource_id requires resource_type.");
        if (principalId is { Length: > 450 }) return ApiResults.BadRequest("principal_id is too long.");
        PrincipalType? principalType = null;
        if (principalTypeName is not null)
        {
            if (ParsePrincipalType(principalTypeName) is not { } parsedType) return ApiResults.BadRequest("principal_type must be user, service_account, api_key or invite.");
            principalType = parsedType;
        }
        bool? projectScope = null;
        Guid? projectId = null;
        if (resourceType is not null)
        {
            var (scopeProject, scopeError) = RoleBindingInputs.Scope(resourceType, resourceId, org, "filter");
            if (scopeError?.Invalid is { } invalid) return invalid;
            if (scopeError?.Missing is { } missing) return missing;
            projectScope = resourceType == "project";
            projectId = scopeProject;
        }
        Role? role = null;
        if (roleName is not null)
        {
            if (WireNames.ParseRole(roleName, WireNames.AllRoles, out var message) is not { } parsedRole) return ApiResults.BadRequest(message!);
            role = parsedRole;
        }
        var page = await bindings.ListAsync(org, new RoleBindingFilter(principalType, principalId, projectScope, projectId, role), skip, take, ct);
        if (!page.IsSuccess) return ApiResults.Fail<Ok<PagedResponse<RoleBindingDto>>>(page.Error);
        return Cursor.OffsetPaged(List, skip, take, page.Value, b => Dto(b, org));
    }

    /// <summary>Bindings add up (SPEC §1.3a): the very role held already is 409 ALREADY_EXISTS; a binding the service refuses is 422.</summary>
    public static async Task<Results<Ok<RoleBindingDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<ErrorResponse>>> CreateRoleBindingAsync(
        HttpContext http, RoleBindingService bindings, CancellationToken ct)
    {
        var (body, error) = await ApiResults.ReadBodyAsync<CreateRoleBindingRequest>(http.Request, ct);
        if (error is not null) return error;
        if (body!.PrincipalType is null || body.PrincipalId is null || body.ResourceType is null || body.Role is null)
        {
            return ApiResults.BadRequest("principal_type, principal_id, resource_type and role are required.");
        }
        if (body.PrincipalId.Length > 450) return ApiResults.BadRequest("principal_id is too long.");
        if (ParsePrincipalType(body.PrincipalType) is not { } principalType) return ApiResults.BadRequest("principal_type must be user, service_account, api_key or invite.");
        if (!Guid.TryParse(body.PrincipalId, out var principalGuid)) return ApiResults.BadRequest("principal_id must be a UUID.");
        var org = http.Caller().OrganizationId;
        var (projectId, scopeError) = RoleBindingInputs.Scope(body.ResourceType, body.ResourceId, org, "request");
        if (scopeError?.Invalid is { } invalid) return invalid;
        if (scopeError?.Missing is { } missing) return missing;
        if (WireNames.ParseRole(body.Role, WireNames.AllRoles, out var message) is not { } role) return ApiResults.BadRequest(message!);
        var created = await bindings.CreateAsync(org, principalType, principalGuid.ToString(), projectId, role, ct);
        return created.IsSuccess ? TypedResults.Ok(Dto(created.Value, org)) : ApiResults.FailCreate<Ok<RoleBindingDto>>(created.Error);
    }

    public static async Task<Results<Ok<RoleBindingDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetRoleBindingAsync(
        string role_binding_id, HttpContext http, RoleBindingService bindings, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(role_binding_id, "role_binding_id", out var id, out var bad)) return bad!;
        var org = http.Caller().OrganizationId;
        var binding = await bindings.GetAsync(org, id, ct);
        return binding.IsSuccess ? TypedResults.Ok(Dto(binding.Value, org)) : ApiResults.Fail<Ok<RoleBindingDto>>(binding.Error);
    }

    /// <summary>A binding whose removal would leave an impossible state (the last owner's, an API key's only role) is 409.</summary>
    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteRoleBindingAsync(
        string role_binding_id, HttpContext http, RoleBindingService bindings, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(role_binding_id, "role_binding_id", out var id, out var bad)) return bad!;
        var deleted = await bindings.DeleteAsync(http.Caller().OrganizationId, id, ct);
        return deleted.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(deleted.Error);
    }

    private static PrincipalType? ParsePrincipalType(string name) => name switch
    {
        "user" => PrincipalType.User,
        "service_account" => PrincipalType.ServiceAccount,
        "api_key" => PrincipalType.ApiKey,
        "invite" => PrincipalType.Invite,
        _ => null,
    };

    private static RoleBindingDto Dto(RoleBindingRow b, Guid org) => new(b.Id, WireNames.PrincipalType(b.PrincipalType), b.PrincipalId,
        AdminApiSetup.ResourceType(b.ProjectId), (b.ProjectId ?? org).ToString(), b.Role.ToString(), b.CreatedAt);
}
