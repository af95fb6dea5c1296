using OrgConsole.Access;
using OrgConsole.Features.RoleBindings;

namespace OrgConsole.AdminApi;

/// <summary>/admin/role-bindings — through <see cref="RoleBindingService"/>, which hands every change to the owning feature service.</summary>
public static class RoleBindingsApi
{
    private const string Tag = "Role bindings";
    private const string List = "role-bindings";

    public static void MapRoleBindingsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/role-bindings", async (HttpContext http, RoleBindingService bindings, CancellationToken ct) =>
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
                if (scopeError is not null) return scopeError;
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
            return ApiResults.From(page, p => new PagedResponse<RoleBindingDto>(p.Items.Select(b => Dto(b, org)).ToList(),
                p.HasMore ? new Pagination(Cursor.Encode(List, (skip + take).ToString())) : null));
        }).Documented<PagedResponse<RoleBindingDto>>("list_role_bindings", "List role bindings", Tag);

        admin.MapPost("/role-bindings", async (HttpContext http, RoleBindingService bindings, CancellationToken ct) =>
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
            if (scopeError is not null) return scopeError;
            if (WireNames.ParseRole(body.Role, WireNames.AllRoles, out var message) is not { } role) return ApiResults.BadRequest(message!);
            var created = await bindings.CreateAsync(org, principalType, principalGuid.ToString(), projectId, role, ct);
            return ApiResults.From(created, b => Dto(b, org), style: ErrorStyle.Create);
        }).Accepts<CreateRoleBindingRequest>("application/json").Documented<RoleBindingDto>("create_role_binding", "Create a role binding", Tag)
          .Produces<ErrorResponse>(409).Produces<ErrorResponse>(422);

        admin.MapGet("/role-bindings/{role_binding_id}", async (string role_binding_id, HttpContext http, RoleBindingService bindings, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(role_binding_id, "role_binding_id", out var id, out var bad)) return bad!;
            var org = http.Caller().OrganizationId;
            return ApiResults.From(await bindings.GetAsync(org, id, ct), b => Dto(b, org));
        }).Documented<RoleBindingDto>("fetch_role_binding", "Get role binding details", Tag);

        admin.MapDelete("/role-bindings/{role_binding_id}", async (string role_binding_id, HttpContext http, RoleBindingService bindings, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(role_binding_id, "role_binding_id", out var id, out var bad)) return bad!;
            var deleted = await bindings.DeleteAsync(http.Caller().OrganizationId, id, ct);
            return deleted.IsSuccess ? ApiResults.Accepted() : ApiResults.From(deleted.Error);
        }).DocumentedAccepted("delete_role_binding", "Delete a role binding", Tag).Produces<ErrorResponse>(409);
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
