using OrgConsole.Access;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.AdminApi;

/// <summary>/admin/service-accounts — through <see cref="ServiceAccountService"/> (Owner, Enterprise; secrets shown once).</summary>
public static class ServiceAccountsApi
{
    private const string Tag = "Service accounts";
    private const string List = "service-accounts";

    public static void MapServiceAccountsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/service-accounts", async (HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        {
            if (Cursor.ReadOffsetPage(http.Request, List, out var skip, out var take) is { } bad) return bad;
            var page = await accounts.ListPageAsync(http.Caller().OrganizationId, skip, take, ct);
            return ApiResults.From(page, p => new PagedResponse<ServiceAccountDto>(p.Items.Select(Dto).ToList(),
                p.HasMore ? new Pagination(Cursor.Encode(List, (skip + take).ToString())) : null));
        }).Documented<PagedResponse<ServiceAccountDto>>("list_service_accounts", "List service accounts", Tag);

        admin.MapPost("/service-accounts", async (HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        {
            var (body, error) = await ApiResults.ReadBodyAsync<CreateServiceAccountRequest>(http.Request, ct);
            if (error is not null) return error;
            if (body!.Name is null) return ApiResults.BadRequest("name is required.");
            if (body.RoleBindings is { Count: > 100 }) return ApiResults.BadRequest("role_bindings may hold at most 100 bindings.");
            var org = http.Caller().OrganizationId;
            var (bindings, bindingError) = RoleBindingInputs.Parse(body.RoleBindings ?? [], org, WireNames.OrgAndProjectRoles);
            if (bindingError is not null) return bindingError;
            var orgRoles = bindings!.Where(b => b.ProjectId is null).ToList();
            if (orgRoles.Count > 1) return ApiResults.BadRequest("A service account holds one organization role; role_bindings names more than one.");
            var grants = bindings!.Where(b => b.ProjectId is not null).Select(b => new ProjectGrant(b.ProjectId!.Value, b.Role)).ToList();
            // Without an organization binding the account holds no organization role until one is bound (SPEC §1.3a).
            var created = await accounts.CreateAsync(org, body.Name, orgRoles.FirstOrDefault()?.Role, grants, ct);
            return ApiResults.From(created, WithSecret, StatusCodes.Status201Created, ErrorStyle.Create);
        }).Accepts<CreateServiceAccountRequest>("application/json")
          .Documented<ServiceAccountWithSecretDto>("create_service_account", "Create a service account", Tag, status: 201).Produces<ErrorResponse>(422);

        admin.MapGet("/service-accounts/{service_account_id}", async (string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
            return ApiResults.From(await accounts.GetAsync(http.Caller().OrganizationId, id, ct), Dto);
        }).Documented<ServiceAccountDto>("fetch_service_account", "Get service account details", Tag);

        admin.MapPatch("/service-accounts/{service_account_id}", async (string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
            var (body, error) = await ApiResults.ReadBodyAsync<UpdateServiceAccountRequest>(http.Request, ct);
            if (error is not null) return error;
            var org = http.Caller().OrganizationId;
            return body!.Name is null
                ? ApiResults.From(await accounts.GetAsync(org, id, ct), Dto)
                : ApiResults.From(await accounts.RenameAsync(org, id, body.Name, ct), Dto);
        }).Accepts<UpdateServiceAccountRequest>("application/json").Documented<ServiceAccountDto>("update_service_account", "Update a service account", Tag);

        admin.MapDelete("/service-accounts/{service_account_id}", async (string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
            var org = http.Caller().OrganizationId;
            var current = await accounts.GetAsync(org, id, ct);
            if (!current.IsSuccess) return ApiResults.From(current.Error);
            var deleted = await accounts.DeleteAsync(org, id, current.Value.Name, ct);
            return deleted.IsSuccess ? ApiResults.Accepted() : ApiResults.From(deleted.Error);
        }).DocumentedAccepted("delete_service_account", "Delete a service account", Tag);

        admin.MapPost("/service-accounts/{service_account_id}/rotate-secret", async (string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
            return ApiResults.From(await accounts.RotateSecretAsync(http.Caller().OrganizationId, id, ct), WithSecret);
        }).Documented<ServiceAccountWithSecretDto>("rotate_service_account_secret", "Rotate a service account's client secret", Tag);
    }

    private static ServiceAccountDto Dto(ServiceAccountRow a) => new(a.Id, a.Name, a.ClientId, a.CreatedAt, a.UpdatedAt);

    private static ServiceAccountWithSecretDto WithSecret(ServiceAccountWithSecret s) => new(Dto(s.Account), s.ClientSecret);
}
