using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.AdminApi;

/// <summary>/admin/service-accounts — through <see cref="ServiceAccountService"/> (Owner, Enterprise; secrets shown once).</summary>
public static class ServiceAccountsApi
{
    private const string List = "service-accounts";

    public static void MapServiceAccountsApi(this RouteGroupBuilder admin) => admin.Operations("Service accounts")
        .Get("/service-accounts", ListServiceAccountsAsync, "list_service_accounts", "List service accounts")
        .Post<CreateServiceAccountRequest>("/service-accounts", CreateServiceAccountAsync, "create_service_account", "Create a service account")
        .Get("/service-accounts/{service_account_id}", GetServiceAccountAsync, "fetch_service_account", "Get service account details")
        .Patch<UpdateServiceAccountRequest>("/service-accounts/{service_account_id}", UpdateServiceAccountAsync, "update_service_account", "Update a service account")
        .Delete("/service-accounts/{service_account_id}", DeleteServiceAccountAsync, "delete_service_account", "Delete a service account")
        .Post("/service-accounts/{service_account_id}/rotate-secret", RotateSecretAsync, "rotate_service_account_secret", "Rotate a service account's client secret");

    public static Task<Results<Ok<PagedResponse<ServiceAccountDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListServiceAccountsAsync(
        HttpContext http, ServiceAccountService accounts, CancellationToken ct) =>
        Cursor.OffsetPageAsync(http.Request, List, (skip, take) => accounts.ListPageAsync(http.Caller().OrganizationId, skip, take, ct), Dto);

    public static async Task<Results<Created<ServiceAccountWithSecretDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<ErrorResponse>>> CreateServiceAccountAsync(
        HttpContext http, ServiceAccountService accounts, CancellationToken ct)
    {
        var (body, error) = await ApiResults.ReadBodyAsync<CreateServiceAccountRequest>(http.Request, ct);
        if (error is not null) return error;
        if (body!.Name is null) return ApiResults.BadRequest("name is required.");
        if (body.RoleBindings is { Count: > 100 }) return ApiResults.BadRequest("role_bindings may hold at most 100 bindings.");
        var org = http.Caller().OrganizationId;
        var (bindings, bindingError) = RoleBindingInputs.Parse(body.RoleBindings ?? [], org, WireNames.OrgAndProjectRoles);
        if (bindingError?.Invalid is { } invalid) return invalid;
        if (bindingError?.Missing is { } missing) return missing;
        var orgRoles = bindings!.Where(b => b.ProjectId is null).ToList();
        if (orgRoles.Count > 1) return ApiResults.BadRequest("A service account holds one organization role; role_bindings names more than one.");
        var grants = bindings!.Where(b => b.ProjectId is not null).Select(b => new ProjectGrant(b.ProjectId!.Value, b.Role)).ToList();
        // Without an organization binding the account holds no organization role until one is bound (SPEC §1.3a).
        var created = await accounts.CreateAsync(org, body.Name, orgRoles.FirstOrDefault()?.Role, grants, ct);
        if (!created.IsSuccess) return ApiResults.FailCreate<Created<ServiceAccountWithSecretDto>>(created.Error);
        return TypedResults.Created((string?)null, WithSecret(created.Value));
    }

    public static async Task<Results<Ok<ServiceAccountDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetServiceAccountAsync(
        string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
        return Answer(await accounts.GetAsync(http.Caller().OrganizationId, id, ct));
    }

    public static async Task<Results<Ok<ServiceAccountDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> UpdateServiceAccountAsync(
        string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
        var (body, error) = await ApiResults.ReadBodyAsync<UpdateServiceAccountRequest>(http.Request, ct);
        if (error is not null) return error;
        var org = http.Caller().OrganizationId;
        return Answer(body!.Name is null ? await accounts.GetAsync(org, id, ct) : await accounts.RenameAsync(org, id, body.Name, ct));
    }

    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteServiceAccountAsync(
        string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
        var org = http.Caller().OrganizationId;
        var current = await accounts.GetAsync(org, id, ct);
        if (!current.IsSuccess) return ApiResults.Fail<Accepted>(current.Error);
        var deleted = await accounts.DeleteAsync(org, id, current.Value.Name, ct);
        return deleted.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(deleted.Error);
    }

    public static async Task<Results<Ok<ServiceAccountWithSecretDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> RotateSecretAsync(
        string service_account_id, HttpContext http, ServiceAccountService accounts, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(service_account_id, "service_account_id", out var id, out var bad)) return bad!;
        var rotated = await accounts.RotateSecretAsync(http.Caller().OrganizationId, id, ct);
        return rotated.IsSuccess ? TypedResults.Ok(WithSecret(rotated.Value)) : ApiResults.Fail<Ok<ServiceAccountWithSecretDto>>(rotated.Error);
    }

    private static Results<Ok<ServiceAccountDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>> Answer(Result<ServiceAccountRow> account) =>
        account.IsSuccess ? TypedResults.Ok(Dto(account.Value)) : ApiResults.Fail<Ok<ServiceAccountDto>>(account.Error);

    private static ServiceAccountDto Dto(ServiceAccountRow a) => new(a.Id, a.Name, a.ClientId, a.CreatedAt, a.UpdatedAt);

    private static ServiceAccountWithSecretDto WithSecret(ServiceAccountWithSecret s) => new(Dto(s.Account), s.ClientSecret);
}
