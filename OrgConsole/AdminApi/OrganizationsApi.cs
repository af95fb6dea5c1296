using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Common;
using OrgConsole.Features.Organizations;

namespace OrgConsole.AdminApi;

/// <summary>/admin/organizations: a token sees only its own organization; any other id is 404.</summary>
public static class OrganizationsApi
{

    public static void MapOrganizationsApi(this RouteGroupBuilder admin) => admin.Operations("Organizations")
        .Get("/organizations", ListOrganizationsAsync, "list_organizations", "List organizations")
        .Get("/organizations/{organization_id}", GetOrganizationAsync, "fetch_organization", "Get organization details")
        .Patch<UpdateOrganizationRequest>("/organizations/{organization_id}", UpdateOrganizationAsync, "update_organization", "Update an organization")
        .Delete("/organizations/{organization_id}", DeleteOrganizationAsync, "delete_organization", "Delete an organization");

    public static async Task<Results<Ok<ListResponse<OrganizationDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListOrganizationsAsync(
        HttpContext http, OrganizationService organizations, TimeProvider time, CancellationToken ct)
    {
        var organization = await organizations.GetAsync(http.Caller().OrganizationId, ct);
        if (!organization.IsSuccess) return ApiResults.Fail<Ok<ListResponse<OrganizationDto>>>(organization.Error);
        return TypedResults.Ok(new ListResponse<OrganizationDto>([Dto(organization.Value, time.UtcNow())]));
    }

    public static async Task<Results<Ok<OrganizationDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetOrganizationAsync(
        string organization_id, HttpContext http, OrganizationService organizations, TimeProvider time, CancellationToken ct)
    {
        if (Own(http, organization_id) is not { } org) return ApiResults.NotFound("The organization");
        return await FetchAsync(organizations, org, time, ct);
    }

    public static async Task<Results<Ok<OrganizationDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> UpdateOrganizationAsync(
        string organization_id, HttpContext http, OrganizationService organizations, TimeProvider time, CancellationToken ct)
    {
        if (Own(http, organization_id) is not { } org) return ApiResults.NotFound("The organization");
        var (body, error) = await ApiResults.ReadBodyAsync<UpdateOrganizationRequest>(http.Request, ct);
        if (error is not null) return error;
        if (body!.Name is not null)
        {
            var renamed = await organizations.RenameAsync(org, body.Name, ct);
            if (!renamed.IsSuccess) return ApiResults.Fail<Ok<OrganizationDto>>(renamed.Error);
        }
        return await FetchAsync(organizations, org, time, ct);
    }

    /// <summary>A refused delete (the organization still holds what must go first) is 409 FAILED_PRECONDITION.</summary>
    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteOrganizationAsync(
        string organization_id, HttpContext http, OrganizationService organizations, CancellationToken ct)
    {
        if (Own(http, organization_id) is not { } org) return ApiResults.NotFound("The organization");
        var current = await organizations.GetAsync(org, ct);
        if (!current.IsSuccess) return ApiResults.Fail<Accepted>(current.Error);
        var deleted = await organizations.DeleteAsync(org, current.Value.Name, ct);
        return deleted.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(deleted.Error, conflictCode: "FAILED_PRECONDITION");
    }

    private static async Task<Results<Ok<OrganizationDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> FetchAsync(
        OrganizationService organizations, Guid org, TimeProvider time, CancellationToken ct)
    {
        var organization = await organizations.GetAsync(org, ct);
        if (!organization.IsSuccess) return ApiResults.Fail<Ok<OrganizationDto>>(organization.Error);
        return TypedResults.Ok(Dto(organization.Value, time.UtcNow()));
    }

    /// <summary>The caller's own organization when the path names it; anything else looks like a missing organization.</summary>
    private static Guid? Own(HttpContext http, string organizationId)
    {
        var org = http.Caller().OrganizationId;
        return Guid.TryParse(organizationId, out var id) && id == org ? org : null;
    }

    private static OrganizationDto Dto(OrganizationDetails o, DateTime now) =>
        new(o.Id.ToString(), o.Name, WireNames.Plan(o.Plan), o.PaymentStatusAt(now), o.CreatedAt, o.SupportPlan.ToString());
}
